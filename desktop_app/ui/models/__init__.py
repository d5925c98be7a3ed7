"""Qt item models over plain values (queue items, review items, records)."""
