-- scripts/rooftop-solar.lua — the script of levels/rooftop-solar.toml (its `script_file`).
-- Errors point at this file's lines. text(key) gives a locale string in both languages.

function on_start()
  state.told_halfway = false
  message(text("rooftop.welcome"))
end

function on_year(year)
  if not state.told_halfway and metric("renewable_share") >= 0.15 then
    state.told_halfway = true
    advisor(text("rooftop.halfway"))
  end
end
