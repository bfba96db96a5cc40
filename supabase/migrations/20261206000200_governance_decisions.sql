-- Governance decisions: every maturity check of a tool call (who, which tool at which
-- complexity, the agent's level, and whether it was allowed, supervised, proposed or refused),
-- written in batches with the usage ledger (core/metering/ledger.py). Idempotent.
--
-- Row Level Security as for public.usage_ledger (20261201000100_usage_ledger.sql, which also
-- makes auth.jwt() where Supabase does not): a tenant reads its own rows, the service role writes.

create table if not exists public.governance_decisions (
    record_id   uuid primary key,
    recorded_at timestamptz not null,
    tenant_id   text not null check (length(tenant_id) between 1 and 128),
    actor       text not null,
    maturity    text not null check (maturity in ('STUDENT', 'INTERN', 'SUPERVISED', 'AUTONOMOUS')),
    muscle      text not null,
    tool        text not null,
    complexity  smallint not null check (complexity between 1 and 4),
    outcome     text not null check (outcome in ('allow', 'supervise', 'propose', 'refuse')),
    needed      text not null,
    proposal_id text,
    request_id  text
);

create index if not exists governance_decisions_tenant_time
    on public.governance_decisions (tenant_id, recorded_at desc);
create index if not exists governance_decisions_time on public.governance_decisions (recorded_at);

alter table public.governance_decisions enable row level security;
revoke all on public.governance_decisions from public, anon, authenticated;
grant select on public.governance_decisions to authenticated;
grant select, insert, delete on public.governance_decisions to service_role;

drop policy if exists governance_decisions_tenant_reads_own on public.governance_decisions;
create policy governance_decisions_tenant_reads_own on public.governance_decisions
    for select to authenticated
    using (
        tenant_id = coalesce(auth.jwt() ->> 'tenant_id', auth.jwt() -> 'app_metadata' ->> 'tenant_id')
    );
