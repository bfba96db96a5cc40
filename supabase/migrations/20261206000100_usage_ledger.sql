-- Usage ledger (the SNAX ledger): one row per tool call and per job, written in batches by the
-- muscle hosts and job daemons (core/metering/ledger.py, PostgresLedger) with the service role.
-- Idempotent: safe to apply twice.
--
-- Row Level Security: a signed-in tenant (role authenticated, its JWT carrying tenant_id at the
-- top level or under app_metadata, as the gateway reads it) reads its own rows and nothing
-- else; anon reads nothing; nobody but the service role (BYPASSRLS on Supabase) writes.

-- auth.jwt() exists on Supabase; on a plain PostgreSQL the same definition is made here so the
-- policy below means the same thing (the claims PostgREST puts in request.jwt.claims).
do $$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'jwt'
  ) then
    create schema if not exists auth;
    create function auth.jwt() returns jsonb language sql stable as $f$
      select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
      )::jsonb
    $f$;
    grant usage on schema auth to anon, authenticated, service_role;
    grant execute on function auth.jwt() to anon, authenticated, service_role;
  end if;
end
$$;

create table if not exists public.usage_ledger (
    record_id   uuid primary key,
    recorded_at timestamptz not null,
    tenant_id   text not null check (length(tenant_id) between 1 and 128),
    actor       text not null,
    muscle      text not null,
    tool        text not null,
    duration_s  double precision not null check (duration_s >= 0),
    cpu_s       double precision not null check (cpu_s >= 0),
    bytes_in    bigint not null check (bytes_in >= 0),
    bytes_out   bigint not null check (bytes_out >= 0),
    outcome     text not null,
    job_id      text,
    request_id  text
);

create index if not exists usage_ledger_tenant_time on public.usage_ledger (tenant_id, recorded_at desc);
create index if not exists usage_ledger_time on public.usage_ledger (recorded_at);

alter table public.usage_ledger enable row level security;
revoke all on public.usage_ledger from public, anon, authenticated;
grant select on public.usage_ledger to authenticated;
grant select, insert, delete on public.usage_ledger to service_role;

drop policy if exists usage_ledger_tenant_reads_own on public.usage_ledger;
create policy usage_ledger_tenant_reads_own on public.usage_ledger
    for select to authenticated
    using (
        tenant_id = coalesce(auth.jwt() ->> 'tenant_id', auth.jwt() -> 'app_metadata' ->> 'tenant_id')
    );
