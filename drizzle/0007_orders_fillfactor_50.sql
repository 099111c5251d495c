-- A restock serves the oldest waiting orders first, and those sit side by side in the table, so it
-- changes the status of every order on a page at once. With half of each page free, every one of
-- those changes fits beside its row: an in-place (HOT) update that writes no index entry. At
-- 85 % (0001) only a few did and the rest rewrote four index entries each. Pages written before
-- this change keep their density until rewritten (VACUUM FULL or pg_repack).
ALTER TABLE "orders" SET (fillfactor = 50);
