"""Labour and vocational skills competitions (劳动和技能竞赛)."""
