"""The stockpile planner's web page, JSON API and downloads."""
