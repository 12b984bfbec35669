"""HTML pages -> main text: blocks as a browser lays them out, page furniture removed, text extracted."""
