// BenchECS.swift — `netzero bench ecs`: times the ECS runtime on N entities.
//
// Figures (milliseconds, the best of `--repeat` runs, each loop also with its median and slowest
// run as NAME_median and NAME_max; create and despawn are timed on a fresh world each run), after
// the machine (cores, CPU model, load average):
//   create_ms      spawn N entities with Position + Velocity (spawnBatch)
//   create_one_ms  the same through N single `spawn` calls, for comparison
//   update_ms      Position += Velocity over all of them, through a query
//   query_half_ms  every second entity also has Health; update it, reading Position
//   despawn_ms     despawn all of them, one handle at a time, in creation order
//   raw_update_ms  the update over two plain contiguous arrays: the floor
import ArgumentParser
import ECS
import Foundation

struct BenchPosition: Component { var x: Float, y: Float, z: Float }
struct BenchVelocity: Component { var x: Float, y: Float, z: Float }
struct BenchHealth: Component { var value: Float }

struct BenchECS: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ecs", abstract: "Time the ECS runtime.")

    @Option(help: "Number of entities.") var entities = 1_000_000
    @Option(name: .customLong("repeat"), help: "Runs of each loop; the best is reported.") var repetitions = 7
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let n = entities
        var figures: [(String, Double)] = []
        func record(_ name: String, _ spread: Spread) {
            figures += [(name, spread.min), (name + "_median", spread.median), (name + "_max", spread.max)]
        }

        // Create and despawn on fresh worlds; the last world is kept for the loops below.
        var create = Double.infinity, despawn = Double.infinity
        var coldCreate = 0.0, coldDespawn = 0.0
        var world = World()
        var handles: [Entity] = []
        for run in 0..<max(1, repetitions) {
            world = World()
            create = min(create, time {
                handles = world.spawnBatch(count: n) { i in
                    (BenchPosition(x: Float(i), y: 0, z: 0), BenchVelocity(x: 1, y: 0.5, z: 0.25))
                }
            })
            if run == 0 { coldCreate = create }
            if run == repetitions - 1 { break }
            despawn = min(despawn, try time { for entity in handles { try world.despawn(entity) } })
            if run == 0 { coldDespawn = despawn }
        }
        figures.append(("create_ms", create))

        let update = spread(of: repetitions) {
            world.query(Write<BenchPosition>.self, Read<BenchVelocity>.self).forEach { position, velocity in
                position.value.x += velocity.x
                position.value.y += velocity.y
                position.value.z += velocity.z
            }
        }
        record("update_ms", update)

        var raw = (positions: [BenchPosition](), velocities: [BenchVelocity]())
        raw.positions = (0..<n).map { BenchPosition(x: Float($0), y: 0, z: 0) }
        raw.velocities = [BenchVelocity](repeating: BenchVelocity(x: 1, y: 0.5, z: 0.25), count: n)
        let rawUpdate = spread(of: repetitions) {
            raw.positions.withUnsafeMutableBufferPointer { positions in
                raw.velocities.withUnsafeBufferPointer { velocities in
                    for i in 0..<positions.count {
                        positions[i].x += velocities[i].x
                        positions[i].y += velocities[i].y
                        positions[i].z += velocities[i].z
                    }
                }
            }
        }
        record("raw_update_ms", rawUpdate)

        for (i, entity) in handles.enumerated() where i % 2 == 0 {
            try world.insert(BenchHealth(value: 100), into: entity)
        }
        let queryHalf = spread(of: repetitions) {
            world.query(Write<BenchHealth>.self, Read<BenchPosition>.self).forEach { health, position in
                health.value.value -= position.x * 0.000_001
            }
        }
        record("query_half_ms", queryHalf)

        despawn = min(despawn, try time { for entity in handles { try world.despawn(entity) } })
        figures.append(("despawn_ms", despawn))
        figures.append(("create_cold_ms", coldCreate))
        figures.append(("despawn_cold_ms", coldDespawn))

        let world2 = World()
        let createOne = time {
            for i in 0..<n {
                world2.spawn(BenchPosition(x: Float(i), y: 0, z: 0), BenchVelocity(x: 1, y: 0.5, z: 0.25))
            }
        }
        figures.append(("create_one_ms", createOne))

        // Keep results observable so the optimiser cannot drop the loops.
        var checksum: Float = raw.positions[n / 2].x
        world2.query(Read<BenchPosition>.self).forEach { checksum += $0.x * 0 }
        precondition(world.entityCount == 0 && checksum.isFinite)

        let ratio = update.min / rawUpdate.min
        let machine = machineFigures()
        if json {
            let fields = machine.map { "\"\($0.0)\": \"\($0.1)\"" } + figures.map { "\"\($0.0)\": \(format($0.1))" } + [
                "\"entities\": \(n)", "\"update_over_raw\": \(format(ratio))",
            ]
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            print("ECS benchmark, \(n) entities, \(repetitions) runs of each loop")
            print("  machine: " + machine.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
            for (name, value) in figures { print("  \(name.padding(toLength: 21, withPad: " ", startingAt: 0)) \(format(value)) ms") }
            print("  update / raw     \(format(ratio))x")
        }
    }
}

/// Wall time of one call, in milliseconds.
func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

/// The fastest, median and slowest of a bench's runs.
struct Spread {
    var min: Double, median: Double, max: Double
    init(_ values: [Double]) {
        let sorted = values.sorted()
        min = sorted.first ?? .nan
        median = sorted.isEmpty ? .nan : sorted[sorted.count / 2]
        max = sorted.last ?? .nan
    }
}

/// `runs` calls' wall times in milliseconds: the fastest, the median and the slowest.
func spread(of runs: Int, _ body: () throws -> Void) rethrows -> Spread {
    var times: [Double] = []
    for _ in 0..<max(1, runs) { times.append(try time(body)) }
    return Spread(times)
}

/// The fastest of `runs` calls, in milliseconds.
func best(of runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<max(1, runs) { fastest = min(fastest, try time(body)) }
    return fastest
}

func format(_ value: Double) -> String { String(format: "%.3f", value) }
