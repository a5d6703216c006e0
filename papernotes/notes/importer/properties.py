"""The frontmatter of an imported file mapped onto the note's properties: the keys the model
knows (title, tags, date) read as Obsidian reads them, every other key kept as it was, and a
value that had to change kept beside it as `source-<key>`. Reference: Obsidian's properties
(help.obsidian.md, Properties)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from papernotes.notes.model.tags import merge_tags

if TYPE_CHECKING:
    from papernotes.notes.importer.plan import ImportPlan


def map_properties(data: dict[str, Any], plan: "ImportPlan") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = str(k)
        if key == "tags":
            # a text value is a comma- or space-separated list, as Obsidian reads it
            raw = [t for t in re.split(r"[,\s]+", v) if t] if isinstance(v, str) \
                else list(v or [])
            tags = merge_tags(str(x) for x in raw)  # the user's case; once each, as Obsidian
            out["tags"] = tags
            plan.properties.append(("tags", f"meta.tags = {tags}"))
            if [str(x) for x in raw] != tags:
                out["source-tags"] = v if isinstance(v, str) else [str(x) for x in raw]
        elif key == "date" and isinstance(v, (dt.date, str)):
            day = v.date() if isinstance(v, dt.datetime) else v
            if isinstance(day, str):
                try:
                    day = dt.date.fromisoformat(day.strip()[:10])
                except ValueError:
                    out["source-date"] = v
                    plan.properties.append(("date", "not a date: kept as source-date"))
                    continue
            out["date"] = day
            plan.properties.append(("date", f"date = {day.isoformat()}"))
            if isinstance(v, (dt.datetime, str)) and str(v) != day.isoformat():
                out["source-date"] = str(v)
        elif key == "title":
            out["title"] = "" if v is None else str(v)
            plan.properties.append(("title", "meta.title"))
        elif key == "categories" and isinstance(v, list) and any(isinstance(x, list) for x in v):
            # Hexo's nested categories are not Obsidian properties: one path per entry
            out[key] = ["/".join(map(str, x)) if isinstance(x, list) else str(x) for x in v]
            plan.properties.append((key, "kept (nested lists written as a/b)"))
        else:
            out[key] = v
            plan.properties.append((key, "kept as a property"))
    return out
