"""Results into the vault: the note's `repro` region and a patch's verdict, and the board."""
