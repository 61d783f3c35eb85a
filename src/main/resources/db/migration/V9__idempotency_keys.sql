-- Idempotency keys of create operations whose rows have no key column of their own (help requests and
-- activities keep theirs on the row, V3/V5). The key row is inserted first in the creating transaction, so a
-- concurrent retry with the same key waits on the primary key and then finds the resource made by the first.
create table idempotency_key (
  user_id     uuid        not null,
  operation   text        not null,
  key         text        not null,
  resource_id uuid        not null,
  created_at  timestamptz not null default now(),
  primary key (user_id, operation, key)
);
