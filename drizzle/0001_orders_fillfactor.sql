-- Leave room in each page so that order status changes are HOT updates (no index writes).
ALTER TABLE "orders" SET (fillfactor = 85);
