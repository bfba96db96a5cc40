-- Capability resolver: which active tools provide a capability id such as cap.video.render.
-- Capabilities are declared per muscle (MuscleSpec.capabilities), so every tool of an active
-- muscle that declares the capability is returned. security_invoker: RLS and grants of the
-- caller apply, so anon resolves nothing.

create or replace view public.muscle_capability_tools with (security_invoker = true) as
select
  cap.value #>> '{}'           as capability,
  m.name                       as muscle,
  m.version                    as version,
  tool.value ->> 'name'        as tool,
  tool.value ->> 'description' as description,
  tool.value -> 'input_schema' as input_schema,
  tool.value -> 'output_schema' as output_schema,
  m.transports                 as transports
from public.muscles m
cross join lateral jsonb_array_elements(m.capabilities) as cap(value)
cross join lateral jsonb_array_elements(m.tools) as tool(value)
where m.status = 'active';

create or replace function public.resolve_capability(capability text)
returns setof public.muscle_capability_tools
language sql
stable
security invoker
set search_path = ''
as $$
  select * from public.muscle_capability_tools t
  where t.capability = resolve_capability.capability
  order by t.muscle, t.tool
$$;

revoke all on public.muscle_capability_tools from public, anon;
grant select on public.muscle_capability_tools to authenticated, service_role;
revoke all on function public.resolve_capability(text) from public, anon;
grant execute on function public.resolve_capability(text) to authenticated, service_role;
