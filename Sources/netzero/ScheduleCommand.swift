// ScheduleCommand.swift — `netzero schedule`: what runs when, as the schedule resolves it, with
// what each system declares it reads and writes. The same order is pinned by a test.
import ArgumentParser
import CitySim

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule",
                                                    abstract: "Print every system of the simulation in the order it runs.")

    @Flag(help: "Also print each system's declared access to components and resources.") var access = false

    func run() throws {
        for line in Simulation.describeSchedule(withAccess: access) { print(line) }
    }
}
