"""`papernotes import` of existing Obsidian/Hexo notes: the plan and write (`plan`), heading renames
(`headings`), Hexo asset tags (`hexo_assets`)."""
