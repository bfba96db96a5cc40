-- Canvas state: the authoritative JSON document of each canvas, its revision records (for
-- rebasing stale patches) and its snapshots (so spine retention can drop old events). Written
-- only by the gateway (gateway/spine/postgres_canvas.py). Idempotent: safe to apply twice.
--
-- Atomicity across replicas: every canvas write is one transaction that first takes a
-- transaction-level advisory lock on the canvas's stream (gateway.canvas_begin), reads the state
-- and the revisions it needs, lets the gateway apply the patch, then (gateway.canvas_apply)
-- appends the event through gateway.spine_append, stores the new state and records the revision,
-- all committed together. The advisory lock also covers the very first write of a canvas, when
-- there is no row yet to lock. Lock order is always canvas lock, then the spine counter row
-- (inside spine_append), so canvas writes and plain appends cannot deadlock.
--
-- The state is stored as canonical JSON text (sorted keys, no spaces), not jsonb: jsonb would
-- reorder keys and respell numbers, and replicas compare the document byte for byte.

create schema if not exists gateway;

create table if not exists gateway.canvas_states (
    stream      text primary key check (length(stream) between 1 and 512),
    tenant_id   text not null,
    canvas_type text not null,
    revision    bigint not null check (revision >= 0),
    state       text not null,
    commit_seq  bigint not null default 0,
    updated_at  timestamptz not null default now()
);

-- One row per recent revision: the paths its commit wrote (JSON Pointers, as a JSON array), so a
-- patch on a stale base can be rebased; and the caller-scoped patch key, so a retried patch is
-- applied once. Only the newest revisions are kept (the gateway's rebase window).
create table if not exists gateway.canvas_revisions (
    stream      text not null,
    revision    bigint not null check (revision >= 1),
    seq         bigint not null,
    paths       jsonb not null check (jsonb_typeof(paths) = 'array'),
    patch_key   text,
    body_sha256 text,
    primary key (stream, revision)
);

create unique index if not exists canvas_revisions_patch_key
    on gateway.canvas_revisions (stream, patch_key) where patch_key is not null;

-- Snapshots: the state at `revision`, inline (canonical JSON text) or as a media_v2 document
-- (its MediaRef as JSON). A client whose cursor is older than retention gets the latest one and
-- then every event after resume_seq; retention never deletes an event past it.
create table if not exists gateway.canvas_snapshots (
    stream      text not null,
    revision    bigint not null check (revision >= 0),
    resume_seq  bigint not null,
    canvas_type text not null,
    state       text,
    document    jsonb,
    size_bytes  bigint not null,
    created_at  timestamptz not null default now(),
    primary key (stream, revision),
    check ((state is null) <> (document is null))
);

alter table gateway.canvas_states enable row level security;
alter table gateway.canvas_revisions enable row level security;
alter table gateway.canvas_snapshots enable row level security;

-- Lock the canvas for this transaction and read what a write needs, in one round trip:
-- the state row (or nulls), the newest snapshot's revision, the revisions after p_since (when
-- given) and the revision a patch key already made (when given).
create or replace function gateway.canvas_begin(p_stream text, p_since bigint, p_patch_key text)
returns table (
    out_canvas_type text, out_revision bigint, out_state text, out_commit_seq bigint,
    out_snapshot_revision bigint, out_intervening jsonb, out_replay jsonb
)
language plpgsql
set search_path = gateway, pg_catalog
as $$
begin
    perform pg_advisory_xact_lock(hashtextextended('gateway.canvas:' || p_stream, 0));
    return query
    select s.canvas_type, s.revision, s.state, s.commit_seq,
           (select max(n.revision) from canvas_snapshots n where n.stream = p_stream),
           case when p_since is null then null else coalesce(
               (select jsonb_agg(jsonb_build_array(r.revision, r.seq, r.paths) order by r.revision)
                from canvas_revisions r where r.stream = p_stream and r.revision > p_since),
               '[]'::jsonb) end,
           case when p_patch_key is null then null else
               (select jsonb_build_array(r.revision, r.seq, r.body_sha256)
                from canvas_revisions r where r.stream = p_stream and r.patch_key = p_patch_key) end
    from (select 1) as one
    left join canvas_states s on s.stream = p_stream;
end;
$$;

-- Write what the gateway decided, under the lock canvas_begin took: append the event (if any),
-- store the state (if changed), record the revision (if a commit) and the snapshot (if any),
-- and sweep revision records past the window and snapshots past the newest p_keep_snapshots.
-- A snapshot resumes after p_snapshot_resume when given (the commit that made its revision, when
-- the canvas moved on while its document was being stored), else after this write's event (or
-- the stream head: nothing after it can be a commit of an older revision, the lock says so).
-- Returns the event's seq (or the stream head when there is no event) and the swept documents.
create or replace function gateway.canvas_apply(
    p_stream text, p_tenant_id text, p_canvas_type text, p_revision bigint, p_state text,
    p_event_type text, p_payload jsonb,
    p_paths jsonb, p_patch_key text, p_body_sha256 text, p_window bigint,
    p_snapshot_revision bigint, p_snapshot_state text, p_snapshot_document jsonb,
    p_snapshot_size bigint, p_snapshot_resume bigint, p_snapshot_advance boolean,
    p_keep_snapshots integer
)
returns table (out_seq bigint, out_created_at double precision, out_dropped jsonb)
language plpgsql
set search_path = gateway, pg_catalog
as $$
declare
    v_seq bigint;
    v_at double precision := extract(epoch from now())::double precision;
    v_dropped jsonb := '[]'::jsonb;
begin
    if p_event_type is not null then
        select a.out_seq, a.out_created_at into v_seq, v_at
        from spine_append(p_stream, p_tenant_id, p_event_type, p_payload) as a;
    else
        select coalesce((select head_seq from spine_streams where stream = p_stream), 0) into v_seq;
    end if;

    if p_state is not null then
        insert into canvas_states as c (stream, tenant_id, canvas_type, revision, state, commit_seq)
        values (p_stream, p_tenant_id, p_canvas_type, p_revision, p_state,
                case when p_paths is null then 0 else v_seq end)
        on conflict (stream) do update
            set canvas_type = excluded.canvas_type, revision = excluded.revision, state = excluded.state,
                commit_seq = case when p_paths is null then c.commit_seq else v_seq end,
                updated_at = now();
    end if;

    if p_paths is not null then
        insert into canvas_revisions (stream, revision, seq, paths, patch_key, body_sha256)
        values (p_stream, p_revision, v_seq, p_paths, p_patch_key, p_body_sha256);
        delete from canvas_revisions where stream = p_stream and revision <= p_revision - p_window;
    end if;

    if p_snapshot_revision is not null then
        if p_snapshot_advance then
            update canvas_snapshots set resume_seq = greatest(resume_seq, v_seq)
            where stream = p_stream and revision = p_snapshot_revision;
        else
            insert into canvas_snapshots as n
                (stream, revision, resume_seq, canvas_type, state, document, size_bytes)
            values (p_stream, p_snapshot_revision, coalesce(p_snapshot_resume, v_seq), p_canvas_type, p_snapshot_state,
                    p_snapshot_document, p_snapshot_size)
            on conflict (stream, revision) do update
                set resume_seq = greatest(n.resume_seq, excluded.resume_seq);
        end if;
        with gone as (
            delete from canvas_snapshots d
            where d.stream = p_stream and d.revision < (
                select min(k.revision) from (
                    select revision from canvas_snapshots where stream = p_stream
                    order by revision desc limit p_keep_snapshots) as k)
            returning d.document
        )
        select coalesce(jsonb_agg(g.document) filter (where g.document is not null), '[]'::jsonb)
        into v_dropped from gone g;
    end if;

    return query select v_seq, v_at, v_dropped;
end;
$$;

revoke all on function gateway.canvas_begin(text, bigint, text) from public;
revoke all on function gateway.canvas_apply(
    text, text, text, bigint, text, text, jsonb, jsonb, text, text, bigint,
    bigint, text, jsonb, bigint, bigint, boolean, integer) from public;
