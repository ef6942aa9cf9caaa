// LuaAPITests — the Lua API on a par with the level format: every trigger action is a call, wrong
// names are errors that name them, `check` finds undefined calls and unknown names statically,
// print reaches the feed and the run's log, and docs/lua-api.md is the API's own table.
import CitySim
import ECS
import Foundation
import Modding
import Scripting
import Testing

@Suite("Lua API")
struct LuaAPITests {
    @Test func theReferenceInDocsIsGeneratedFromTheAPITable() throws {
        let file = try String(contentsOfFile: repositoryRoot + "/docs/lua-api.md", encoding: .utf8)
        #expect(file == LevelScripting.apiReference(), "run `netzero lua-api > docs/lua-api.md`")
        for function in LevelScripting.functions {
            #expect(file.contains("`\(function.signature.replacingOccurrences(of: "|", with: "\\|"))`"), "\(function.name)")
        }
        // Every function of the table is callable from Lua, and nothing else is registered.
        let (city, host, _) = startCity(scriptedLevel("function on_start() end"))
        _ = city
        let sandbox = try #require(host?.sandbox)
        for function in LevelScripting.functions { #expect(sandbox.hasFunction(function.name), "\(function.name)") }
    }

    /// grant, unlock, advisor and event do what the same `[[triggers]]` actions do.
    @Test func everyTriggerActionIsACall() throws {
        let level = scriptedLevel("""
        function on_start()
          grant(10000000)
          unlock("heat_pump")
          advisor("Plant trees", "植树")
          event("fuel_price_spike", 3, { value = 2.5 })
          event("policy_change", 1, { policy = "carbon_tax", value = 80 })
        end
        """)
        let plain = City(level: scriptedLevel("function on_start() end"), catalog: catalog)
        let (city, host, problems) = startCity(level)
        #expect(problems.isEmpty)
        plain.step()
        city.step()
        #expect(host?.isStopped == false, "\(host?.problems ?? [])")
        #expect(city.view.budget.balance - plain.view.budget.balance > 9_000_000, "the grant is in the budget")
        let rules = try #require(city.view.rules)
        #expect(rules.messages.contains { $0.kind == .advisor && $0.text.zh == "植树" })
        #expect(rules.events.map(\.kind) == [.fuelPriceSpike, .policyChange])
        #expect(city.view.policies.carbonTax == 80)
        #expect(city.world.resource(MarketConditions.self)?.fuelPriceMultiplier == 2.5)
    }

    /// The modder's stumbles: each wrong name stops the script with a message that names it.
    @Test func wrongNamesAreErrorsThatNameThem() throws {
        let cases: [(String, String)] = [
            ("set_policy('carbon_taxx', 10)", "unknown policy 'carbon_taxx'; did you mean 'carbon_tax'?"),
            ("set_policy('carbon_tax', 1e6)", "carbon_tax must be from 0.0 to 2000.0 yuan/tCO2e, not 1000000.0"),
            ("add_objective{ id = 'a', metric = 'net_emisions', at_most = 1, by = 2030 }", "unknown metric 'net_emisions'; did you mean 'net_emissions'?"),
            ("add_objective{ id = 'a', metric = 'population', at_leest = 1, by = 2030 }", "unknown field 'at_leest'; did you mean 'at_least'?"),
            ("build('solar', 1, 1)", "unknown structure 'solar'"),
            ("unlock('heatpump')", "unknown tool 'heatpump'; did you mean 'heat_pump'?"),
            ("event('heat_wave', 3)", "unknown event 'heat_wave'; did you mean 'heatwave'?"),
            ("metric('populaton')", "unknown metric 'populaton'; did you mean 'population'?"),
        ]
        for (call, expected) in cases {
            let (city, host, _) = startCity(scriptedLevel("function on_start()\n  " + call + "\nend"))
            city.step()
            #expect(host?.isStopped == true, "\(call)")
            let problem = host?.problems.first ?? ""
            #expect(problem.contains(expected), "\(call): \(problem)")
            #expect(problem.hasPrefix("scripted.toml:3:1:"), "at the level file's line: \(problem)")
        }
    }

    /// A script's policy goes through the command path, with the player's checks, and is logged as the script's.
    @Test func aScriptsPolicyIsACommand() throws {
        let (city, _, _) = startCity(scriptedLevel("function on_start() set_policy('carbon_tax', 40) end"))
        city.step()
        #expect(city.view.policies.carbonTax == 40)
        let record = try #require(city.view.commandLog.last)
        #expect(record.command == .setPolicy("carbon_tax", 40) && record.source == .script && record.outcome.succeeded)
    }

    @Test func checkFindsUndefinedCallsAndUnknownNamesStatically() throws {
        let level = scriptedLevel("""
        local total = 0
        local function helper(a, b) return a + b end
        function on_year(year)
          total = helper(total, 1)
          for i, value in ipairs({ 1, 2 }) do total = total + value end
          local config = { build = 1, metric = "anything" }
          grnat(1000)
          set_policy("carbon_taxx", 10)
          build "solar_plant"
          add_objective{ id = "x", metric = "net_emisions", at_most = 5, by = 2030 }
          string.format("%d", total)
        end
        """)
        let script = try #require(level.script)
        let problems = LevelScripting.check(script).map(\.description)
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("scripted.toml:8:3:") && $0.contains("'grnat' is called but not defined") && $0.contains("did you mean 'grant'?") })
        #expect(problems.contains { $0.hasPrefix("scripted.toml:9:14:") && $0.contains("unknown policy 'carbon_taxx'") })
        #expect(problems.contains { $0.contains("unknown metric 'net_emisions'") })
        // The shipped mods check clean.
        for name in ["green-points", "carbon-tax-shock"] {
            let loaded = LevelFile.load(path: repositoryRoot + "/Levels/mods/\(name)/levels/\(name).toml", catalog: catalog)
            let modScript = try #require(loaded.level?.script)
            #expect(LevelScripting.check(modScript).isEmpty, "\(name)")
        }
    }

    /// print goes to the feed and, in order with message, to the run's log.
    @Test func printReachesTheFeedAndTheLog() throws {
        let (city, host, _) = startCity(scriptedLevel("""
        function on_start()
          print("first", 1)
          message("second", "第二")
          print("third")
        end
        """))
        city.step()
        let log = try #require(host?.log)
        #expect(log.map { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) ?? "" }
                == ["print\tfirst\t1", "message\tsecond", "print\tthird"])
        let feed = city.view.rules?.messages.map(\.text.en) ?? []
        #expect(feed == ["first\t1", "second", "third"])
    }
}
