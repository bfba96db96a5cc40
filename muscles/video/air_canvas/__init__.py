"""air_canvas: "Magic Draw", drawing in the air with a coloured marker filmed on video."""
