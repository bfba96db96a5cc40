-- Gateway event spine: the append-only, durable, per-stream ordered log shared by every gateway
-- replica (gateway/spine/postgres.py). Idempotent: safe to apply twice.
--
-- Ordering: seq comes from a per-stream counter row (gateway.spine_streams). An append bumps it
-- with INSERT .. ON CONFLICT DO UPDATE, which row-locks the counter until the appending
-- transaction ends; a concurrent append to the same stream (in any process) blocks on that lock
-- and only gets seq N+1 after N has committed (or rolled back, undoing its bump too). So seq is
-- gap-free and a reader can never see N+1 before N -- which `seq > last` catch-up relies on.
-- (A bigserial would not do: sequences hand out numbers outside transactions, so N+1 can commit
-- before N and a reader that has moved past N skips it forever; rollbacks leave gaps.)
--
-- Wake-ups: the same transaction calls pg_notify('gateway_spine', stream || ':' || seq), which is
-- delivered at commit. NOTIFY is only a hint; readers always catch up by `seq > last`.

create schema if not exists gateway;

create table if not exists gateway.spine_streams (
    stream   text primary key check (length(stream) between 1 and 512),
    head_seq bigint not null check (head_seq >= 1)
);

create table if not exists gateway.spine_events (
    stream     text not null,
    seq        bigint not null check (seq >= 1),
    type       text not null,
    tenant_id  text not null,
    payload    jsonb not null,
    created_at timestamptz not null default now(),
    primary key (stream, seq)
);

create table if not exists gateway.spine_commands (
    tenant_id       text not null,
    idempotency_key text not null,
    body_sha256     text not null,
    stream          text not null,
    seq             bigint not null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, idempotency_key)
);

create index if not exists spine_commands_created_at on gateway.spine_commands (created_at);

-- Only the gateway (the table owner / service role) touches the spine; no policies means that
-- anon and authenticated clients reaching the database through Supabase APIs see nothing.
alter table gateway.spine_streams enable row level security;
alter table gateway.spine_events enable row level security;
alter table gateway.spine_commands enable row level security;
revoke all on schema gateway from public;

-- Append one event: bump the stream counter (row lock until commit), insert, notify.
create or replace function gateway.spine_append(p_stream text, p_tenant_id text, p_type text, p_payload jsonb)
returns table (out_seq bigint, out_created_at double precision)
language plpgsql
set search_path = gateway, pg_catalog
as $$
declare
    v_seq bigint;
    v_at timestamptz;
begin
    insert into spine_streams as s (stream, head_seq) values (p_stream, 1)
    on conflict (stream) do update set head_seq = s.head_seq + 1
    returning s.head_seq into v_seq;

    insert into spine_events (stream, seq, type, tenant_id, payload)
    values (p_stream, v_seq, p_type, p_tenant_id, p_payload)
    returning spine_events.created_at into v_at;

    perform pg_notify('gateway_spine', p_stream || ':' || v_seq);
    return query select v_seq, extract(epoch from v_at)::double precision;
end;
$$;

-- Append several events to one stream at once (a replica's group commit): one counter bump,
-- one lock, one commit and one notify (of the last seq) for the whole batch, in array order.
create or replace function gateway.spine_append_many(
    p_stream text, p_tenant_ids text[], p_types text[], p_payloads jsonb[]
)
returns table (out_first_seq bigint, out_created_at double precision)
language plpgsql
set search_path = gateway, pg_catalog
as $$
declare
    v_count integer := cardinality(p_types);
    v_last bigint;
begin
    if v_count is null or v_count = 0
       or cardinality(p_tenant_ids) <> v_count or cardinality(p_payloads) <> v_count then
        raise exception 'spine_append_many needs equally long, non-empty arrays';
    end if;

    insert into spine_streams as s (stream, head_seq) values (p_stream, v_count)
    on conflict (stream) do update set head_seq = s.head_seq + v_count
    returning s.head_seq into v_last;

    insert into spine_events (stream, seq, type, tenant_id, payload)
    select p_stream, v_last - v_count + e.ord, e.type, e.tenant_id, e.payload
    from unnest(p_types, p_tenant_ids, p_payloads) with ordinality as e(type, tenant_id, payload, ord);

    perform pg_notify('gateway_spine', p_stream || ':' || v_last);
    return query select v_last - v_count + 1, extract(epoch from now())::double precision;
end;
$$;

-- Append a command's event once per (tenant_id, idempotency_key). The placeholder row claims
-- the key first: a concurrent caller with the same key blocks on the unique index until the
-- claimer commits, then finds the finished record (each plpgsql statement takes a fresh
-- snapshot under READ COMMITTED) and appends nothing.
create or replace function gateway.spine_append_command(
    p_stream text, p_tenant_id text, p_idempotency_key text, p_body_sha256 text, p_type text, p_payload jsonb
)
returns table (
    out_body_sha256 text, out_stream text, out_seq bigint, out_created_at double precision, out_inserted boolean
)
language plpgsql
set search_path = gateway, pg_catalog
as $$
declare
    v_seq bigint;
    v_at double precision;
begin
    insert into spine_commands (tenant_id, idempotency_key, body_sha256, stream, seq)
    values (p_tenant_id, p_idempotency_key, p_body_sha256, p_stream, 0)
    on conflict (tenant_id, idempotency_key) do nothing;

    if found then
        select a.out_seq, a.out_created_at into v_seq, v_at
        from spine_append(p_stream, p_tenant_id, p_type, p_payload) as a;
        update spine_commands set seq = v_seq, created_at = to_timestamp(v_at)
        where tenant_id = p_tenant_id and idempotency_key = p_idempotency_key;
        return query select p_body_sha256, p_stream, v_seq, v_at, true;
    else
        return query
        select c.body_sha256, c.stream, c.seq, extract(epoch from c.created_at)::double precision, false
        from spine_commands as c
        where c.tenant_id = p_tenant_id and c.idempotency_key = p_idempotency_key;
    end if;
end;
$$;

revoke all on function gateway.spine_append(text, text, text, jsonb) from public;
revoke all on function gateway.spine_append_many(text, text[], text[], jsonb[]) from public;
revoke all on function gateway.spine_append_command(text, text, text, text, text, jsonb) from public;
