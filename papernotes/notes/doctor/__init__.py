"""`papernotes doctor` over a whole vault: one check per function (`checks`), the run with backups (`run`)."""
