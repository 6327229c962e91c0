-- The balance sums a user's open holds: index them by user instead of scanning every hold ever written.
CREATE INDEX ix_lot_holds_user_open ON lot_holds (user_id, settled);
