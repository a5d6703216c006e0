"""`papernotes idea run`: a patch against its baseline over seeds, its arms as processes, and the
verdict."""
