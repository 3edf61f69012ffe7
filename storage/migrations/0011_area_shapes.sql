-- Alert areas chosen by neighbourhood or ZIP code are that polygon, not a circle round its centre (issue 13).
-- area_kind: 'circle' (a pin or a corner with a radius), 'area' (community area number) or 'zip'; for a shape,
-- radius_m holds the margin around its edge and the R*Tree box covers the shape plus that margin.
ALTER TABLE subscriptions ADD COLUMN area_kind TEXT NOT NULL DEFAULT 'circle'
    CHECK (area_kind IN ('circle', 'area', 'zip'));
ALTER TABLE subscriptions ADD COLUMN area_ref TEXT;
