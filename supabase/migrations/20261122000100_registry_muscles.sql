-- Muscle registry: one row per muscle (its current version) and an immutable version history.
-- Written by registry-sync (service role or the database owner); read by authenticated users.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon')
     or not exists (select 1 from pg_roles where rolname = 'authenticated')
     or not exists (select 1 from pg_roles where rolname = 'service_role') then
    raise exception 'Supabase roles anon, authenticated and service_role are missing'
      using hint = 'Run this migration on a Supabase database (supabase db push), or create those roles first.';
  end if;
end
$$;

create table if not exists public.muscles (
  name          text primary key check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  version       text not null
                check (version ~ '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'),
  category      text not null check (category ~ '^[a-z][a-z0-9_]{0,62}$'),
  description   text not null,
  tools         jsonb not null check (jsonb_typeof(tools) = 'array'),
  capabilities  jsonb not null default '[]' check (jsonb_typeof(capabilities) = 'array'),
  canvas_tools  jsonb not null default '[]' check (jsonb_typeof(canvas_tools) = 'array'),
  transports    jsonb not null default '["stdio", "streamable-http"]' check (jsonb_typeof(transports) = 'array'),
  skill_md      text not null,
  content_hash  text not null check (content_hash ~ '^sha256:[0-9a-f]{64}$'),
  source_sha256 text check (source_sha256 ~ '^[0-9a-f]{64}$'),
  status        text not null default 'active' check (status in ('active', 'deprecated', 'deleted')),
  source_commit text,
  synced_by     text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

comment on table public.muscles is
  'One row per muscle, derived from its MuscleSpec by registry-sync; content_hash covers every content column.';

create index if not exists muscles_capabilities_idx on public.muscles using gin (capabilities);

create table if not exists public.muscle_versions (
  name         text not null references public.muscles (name) on delete restrict,
  version      text not null,
  content_hash text not null check (content_hash ~ '^sha256:[0-9a-f]{64}$'),
  record       jsonb not null,
  published_at timestamptz not null default now(),
  primary key (name, version)
);

comment on table public.muscle_versions is
  'Append-only: every version ever published, with the record it was published with.';

-- The rules of a write, enforced where no client can skip them:
--   * re-sending identical content (same hash, version and status) changes nothing, updated_at included;
--   * a changed hash needs a new version;
--   * a published version is never republished with other content.
create or replace function public.muscles_guard() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  published text;
begin
  if tg_op = 'UPDATE' then
    if new.content_hash = old.content_hash and new.version = old.version and new.status = old.status then
      return null;
    end if;
    if new.content_hash <> old.content_hash and new.version = old.version then
      raise exception 'muscle %: content changed without a version bump (still %)', new.name, new.version
        using errcode = 'check_violation',
              hint = 'Published versions are immutable: raise version in service.py, run sentinel generate, sync again.';
    end if;
    new.created_at := old.created_at;
    -- Only updates can meet history: a muscle's versions go away only with its row, which
    -- the foreign key forbids. (INSERT .. ON CONFLICT fires the insert trigger first, on every row.)
    select v.content_hash into published
      from public.muscle_versions v where v.name = new.name and v.version = new.version;
    if published is not null and published <> new.content_hash then
      raise exception 'muscle % version % was already published with other content', new.name, new.version
        using errcode = 'check_violation',
              hint = 'Pick a version never published before.';
    end if;
  end if;
  new.updated_at := now();
  return new;
end
$$;

-- security definer: the history is written only through this trigger, never by a client directly.
create or replace function public.muscles_record_version() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.muscle_versions (name, version, content_hash, record)
  values (new.name, new.version, new.content_hash,
          to_jsonb(new) - 'status' - 'created_at' - 'updated_at' - 'synced_by' - 'source_commit')
  on conflict (name, version) do nothing;
  return null;
end
$$;

create or replace function public.muscle_versions_append_only() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'muscle_versions is append-only (% refused)', tg_op
    using errcode = 'insufficient_privilege',
          hint = 'Publish a new version instead of changing a published one.';
end
$$;

drop trigger if exists muscles_guard on public.muscles;
create trigger muscles_guard before insert or update on public.muscles
  for each row execute function public.muscles_guard();

drop trigger if exists muscles_record_version on public.muscles;
create trigger muscles_record_version after insert or update on public.muscles
  for each row execute function public.muscles_record_version();

drop trigger if exists muscle_versions_append_only on public.muscle_versions;
create trigger muscle_versions_append_only before update or delete on public.muscle_versions
  for each row execute function public.muscle_versions_append_only();

-- Row Level Security: authenticated users read; anon reads nothing; only the service role
-- (BYPASSRLS on Supabase) and the owner write. No write policy exists for anyone else.
alter table public.muscles enable row level security;
alter table public.muscle_versions enable row level security;

revoke all on public.muscles, public.muscle_versions from public, anon, authenticated;
grant select on public.muscles, public.muscle_versions to authenticated;
grant select, insert, update on public.muscles to service_role;
grant select on public.muscle_versions to service_role;

drop policy if exists muscles_read on public.muscles;
create policy muscles_read on public.muscles for select to authenticated using (true);
drop policy if exists muscle_versions_read on public.muscle_versions;
create policy muscle_versions_read on public.muscle_versions for select to authenticated using (true);

revoke all on function public.muscles_guard(), public.muscles_record_version(),
  public.muscle_versions_append_only() from public, anon, authenticated;
