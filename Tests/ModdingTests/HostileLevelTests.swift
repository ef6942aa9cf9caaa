// HostileLevelTests — numbers from scripts that used to trap the process ("Double cannot be
// converted to Int"), host calls that grew the city's memory without bound, and per-hour caps.
import CitySim
import Modding
import Scripting
import Testing

@Suite("Hostile level scripts")
struct HostileLevelTests {
    /// Runs `body` as on_start and returns the problems the script reported.
    private func problems(_ body: String, hours: Int = 1) -> (City, [String]) {
        let level = scriptedLevel("function on_start()\n" + body + "\nend")
        let (city, host, loadProblems) = startCity(level)
        city.run(hours: hours)
        return (city, loadProblems + (host?.problems ?? []))
    }

    @Test(arguments: [
        ("build('road', 1e300, 0)", "must be a whole number"),
        ("build('road', 0/0, 0)", "must be a finite number"),
        ("build('road', 1.5, 0)", "must be a whole number"),
        ("tile(math.maxinteger, 0)", "must be a whole number"),
        ("demolish(-1e308, 2)", "must be a whole number"),
        ("add_objective{ id = 'x', metric = 'population', at_least = 1, by = 1e300 }", "by must be a year"),
        ("add_objective{ id = 'x', metric = 'population', at_least = 1/0, by = 2030 }", "finite number"),
        ("set_policy('carbon_tax', 0/0)", "must be a finite number"),
        ("set_catalog('population.growth_rate_max', -1e308)", "outside the game's limits"),
        ("set_catalog('zone.forest.build_cost', 1e300)", "outside the game's limits"),
    ])
    func badNumbersAreErrorsNotTraps(call: String, message: String) {
        let (city, reported) = problems(call)
        #expect(reported.count == 1, "\(call): \(reported)")
        #expect(reported.first?.contains(message) == true, "\(call): \(reported)")
        #expect(reported.first?.hasPrefix("scripted.toml:3:1:") == true, "\(call): \(reported)")
        #expect(city.view.clock.tick == 1)  // the game ran on
    }

    @Test func tileOffTheMapIsNil() {
        let (_, reported) = problems("assert(tile(100000, 3) == nil) assert(tile(-1, 0) == nil)")
        #expect(reported.isEmpty, "\(reported)")
    }

    @Test func messagesAreBoundedOutsideTheScriptsMemory() {
        // 12 MB strings used to reach gigabytes in the message feed; now each is cut to 500 characters.
        let level = scriptedLevel("""
        function on_tick()
          local s = ("x"):rep(200000)
          for i = 1, 20 do message(s, s) end
        end
        """)
        let (city, host, _) = startCity(level)
        city.run(hours: 3)
        #expect(host?.problems.isEmpty == true, "\(host?.problems ?? [])")
        let longest = city.view.rules?.messages.map { $0.text.en.count + $0.text.zh.count }.max() ?? 0
        #expect(longest > 0 && longest <= 2 * LevelScripting.maximumMessageCharacters)
    }

    @Test func commandsPerHourAndObjectivesAreCapped() {
        let (_, spam) = problems("for i = 1, 1000000 do build('road', i % 10, 1) end")
        #expect(spam.first?.contains("per simulated hour") == true, "\(spam)")
        let (city, objectives) = problems("""
        for i = 1, 1000 do add_objective{ id = 'o' .. i, metric = 'population', at_least = i, by = 2030 } end
        """)
        #expect(objectives.first?.contains("at most \(LevelScripting.maximumObjectives) objectives") == true, "\(objectives)")
        #expect((city.view.rules?.objectives.count ?? 0) == LevelScripting.maximumObjectives)
    }

    @Test func scriptedRunsAreTheSameWithTablesAsKeysAndTostring() throws {
        func run() throws -> [String] {
            let level = scriptedLevel("""
            local registry = {}
            function on_day(date)
              registry[{}] = date
              local names = {}
              for k, v in pairs(registry) do names[#names + 1] = tostring(k) .. v end
              message(table.concat(names, ","):sub(1, 200))
            end
            """)
            let (city, _, _) = startCity(level)
            city.run(hours: 24 * 5)
            return city.view.rules?.messages.map(\.text.en) ?? []
        }
        let first = try run()
        #expect(first.count >= 4)
        #expect(first.last?.hasPrefix("table: #") == true)
        #expect(try run() == first)
    }
}
