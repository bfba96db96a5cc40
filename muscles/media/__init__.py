"""Media muscles."""
