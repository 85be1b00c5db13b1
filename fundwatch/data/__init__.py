"""Data files shipped with fundwatch (territories); see PROVENANCE.md beside this file."""
