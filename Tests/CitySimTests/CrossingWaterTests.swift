// CrossingWaterTests — bridges (road and rail on water), metro tunnels (under anything), their
// costs and construction carbon on the city's network books, undo within the refund window, and
// saves of format 4 loading through the migration to format 5.
import CitySim
import ECS
import Foundation
import Testing

/// A river town: a road along row 1 on the north bank, a river on rows 3–4, the south bank below.
/// A coal plant on the north bank, homes at (6, 6) on the south bank.
func riverTown(budget: Double = 1e12, width: Int = 12) -> City {
    var level = LevelSetup(info: LevelInfo(id: "river", title: "River town", seed: 3, initialOccupancy: 0.9),
                           width: width, height: 8, budget: budget)
    for x in 0..<width {
        level.terrain.append((x, 3, .water))
        level.terrain.append((x, 4, .water))
        level.placements.append((.road, x, 1))
    }
    level.placements.append((.plant(.coal), 0, 0))
    level.placements.append((.building(.residential, density: 0.5), 6, 6))
    return City(level: level, catalog: testCatalog)
}

private func tile(_ city: City, _ x: Int, _ y: Int) -> (terrain: Terrain, structure: TileStructure, tunnel: Bool) {
    let map = city.view.map
    let i = map.index(x, y)
    return (map.terrain[i], map.structure[i], map.tunnel[i])
}

/// The construction line of the budget book this month (yuan; negative = spent).
private func constructionThisMonth(_ city: City) -> Double {
    let book = city.view.budgetBook
    return book.amount(.construction, in: book.thisMonth)
}

@Suite("Crossing water: bridges and metro tunnels")
struct CrossingWaterTests {
    let economy = testCatalog.economy

    @Test func aRoadOnWaterIsABridgeAtABridgesCostAndCarbon() throws {
        let city = riverTown()
        for y in 2...5 { city.submit(.build(.road, x: 6, y: y)) }
        city.step()
        for y in 2...5 { #expect(tile(city, 6, y).structure == .road) }
        #expect(tile(city, 6, 3).terrain == .water && tile(city, 6, 4).terrain == .water, "the terrain stays water")
        #expect(city.view.map.isBridge(city.view.map.index(6, 3)) && !city.view.map.isBridge(city.view.map.index(6, 2)))
        let spent = -constructionThisMonth(city)
        #expect(close(spent, 2 * economy.roadCost + 2 * economy.roadBridgeCost), "\(spent)")
        #expect(economy.roadBridgeCost > economy.roadCost)
        let books = city.view.networkBooks
        #expect(books[.bridge].flow.yearQuantity == 2 && books[.road].flow.yearQuantity == 2)
        #expect(close(books[.bridge].flow.yearTonnes, 2 * economy.bridgeEmbodied))
        #expect(close(books[.road].flow.yearTonnes, 2 * economy.roadEmbodied))
        #expect(economy.bridgeEmbodied == 1224 && economy.roadEmbodied == 180)
        // The ledger books the same tonnes as scope 3 (outside the city), beside the city total.
        let year = city.view.ledger.thisYear.tally
        #expect(close(year.tonnes(.industry, .outsideCity), 2 * economy.bridgeEmbodied + 2 * economy.roadEmbodied))
        #expect(year.transboundaryTransport == 0, "network carbon is not booked as trips beyond the boundary")
        // Each line is explained by its catalog factor, unit and source.
        let factor = try #require(testCatalog.factor(books[.bridge].flow.factor))
        #expect(factor.path == "network_embodied.bridge" && factor.unit == "tCO2e/tile" && factor.source.contains("Wang et al. (2015)"))
    }

    @Test func onlyRoadAndRailBridgeWater() {
        let city = riverTown()
        city.submit(.build(.rail, x: 2, y: 3))
        city.submit(.build(.building(.office), x: 3, y: 3))
        city.submit(.build(.zone(.park), x: 4, y: 3))
        city.submit(.build(.plant(.solar), x: 5, y: 3))
        city.step()
        let log = city.view.commandLog
        #expect(log[0].outcome == .done(cost: economy.railBridgeCost))
        #expect(log[1].outcome == .refused(.cannotBuildOn(.water)))
        #expect(log[2].outcome == .refused(.cannotBuildOn(.water)))
        #expect(log[3].outcome == .refused(.cannotBuildOn(.water)))
        #expect(close(city.view.networkBooks[.bridge].flow.yearTonnes, economy.bridgeEmbodied), "a rail bridge books the bridge factor")
        // A bus stop on a road bridge, a bike lane on it: they go where a road is.
        city.submit(.build(.road, x: 7, y: 3))
        city.submit(.build(.busStop, x: 7, y: 3))
        city.step()
        #expect(tile(city, 7, 3).structure == .busStop)
    }

    @Test func theBridgeCarriesTheRoadAndThePowerLinesAcross() throws {
        let city = riverTown()
        city.run(hours: 2)
        let homes = entity(at: 6, 6, in: city)
        let plant = entity(at: 0, 0, in: city)
        func island(_ e: Entity) -> Int32? { city.view.building(e)?.island ?? city.view.plant(e)?.island }
        #expect(island(homes) == 0, "across the river, no road reaches the homes")
        for y in 2...5 { city.submit(.build(.road, x: 6, y: y)) }
        city.run(hours: 3)
        let building = try #require(city.view.building(homes))
        #expect(building.island != 0 && building.island == island(plant), "the homes are on the plant's power island through the bridge")
        #expect(city.view.servedShare(of: homes)! > 0.99, "\(city.view.servedShare(of: homes)!)")
        // Demolishing the bridge cuts them off again; the water stays.
        city.submit(.demolish(x: 6, y: 3))
        city.run(hours: 2)
        #expect(tile(city, 6, 3) == (.water, .none, false))
        #expect(island(homes) != island(plant))
    }

    @Test func undoingABridgeInTheRefundWindowRefundsItAndTakesBackItsCarbon() throws {
        let city = riverTown()
        city.run(hours: 1)
        let index = city.submit(.build(.road, x: 6, y: 3))
        city.step()
        #expect(constructionThisMonth(city) == -economy.roadBridgeCost)
        let undo = city.submit(.undo(index: index))
        city.step()
        #expect(tile(city, 6, 3) == (.water, .none, false))
        #expect(city.view.commandLog[undo].outcome == .done(cost: -economy.roadBridgeCost))
        #expect(constructionThisMonth(city) == 0, "refunded in full")
        let bridge = city.view.networkBooks[.bridge]
        #expect(bridge.flow.yearQuantity == 0 && close(bridge.flow.yearTonnes, 0), "the carbon is booked back as a correction")
        #expect(close(city.view.ledger.thisYear.tally.tonnes(.industry, .outsideCity), 0))
        // After the window: no refund, the carbon stays.
        let late = city.submit(.build(.road, x: 7, y: 3))
        city.step()
        city.run(hours: Int(City.refundWindowTicks) + 1)
        let lateUndo = city.submit(.undo(index: late))
        city.step()
        #expect(tile(city, 7, 3).structure == .none)
        #expect(city.view.networkBooks[.bridge].flow.yearQuantity == 1)
        #expect(city.view.commandLog[lateUndo].outcome == .done(cost: 0), "no refund after the window")
    }

    @Test func railOnLandBooksNoCarbonAndRoadBooksTheRoadFactor() {
        let city = riverTown()
        city.submit(.build(.rail, x: 3, y: 2))
        city.submit(.build(.road, x: 4, y: 2))
        city.step()
        let books = city.view.networkBooks
        #expect(books[.road].flow.yearQuantity == 1 && !books[.bridge].flow.isUsed && !books[.tunnel].flow.isUsed)
        #expect(close(city.view.ledger.thisYear.tally.tonnes(.industry, .outsideCity), economy.roadEmbodied))
    }

    @Test func aTunnelRunsUnderAnythingAndJoinsTheRail() throws {
        let city = riverTown()
        // Surface rail on each bank, a tunnel under the north road, the river and the homes' block.
        city.submit(.build(.rail, x: 9, y: 0))
        city.submit(.build(.rail, x: 9, y: 7))
        for y in 1...6 { city.submit(.build(.metroTunnel, x: 9, y: y)) }
        city.submit(.build(.metroTunnel, x: 6, y: 6))  // under the homes
        city.step()
        for outcome in city.view.commandLog.map(\.outcome) { #expect(outcome.succeeded, "\(outcome)") }
        let map = city.view.map
        #expect(tile(city, 9, 1) == (.land, .road, true), "the road stays on the surface")
        #expect(tile(city, 9, 3) == (.water, .none, true))
        #expect(tile(city, 6, 6).structure == .entity && tile(city, 6, 6).tunnel)
        #expect(map.railComponent[map.index(9, 0)] >= 0 && map.railComponent[map.index(9, 0)] == map.railComponent[map.index(9, 7)],
                "the tunnel joins the two surface lines")
        #expect(map.roadComponent[map.index(9, 1)] == map.roadComponent[map.index(0, 1)], "the road network is unchanged above")
        let tunnel = city.view.networkBooks[.tunnel]
        #expect(tunnel.flow.yearQuantity == 7 && close(tunnel.flow.yearTonnes, 7 * economy.tunnelEmbodied))
        #expect(economy.tunnelEmbodied == 1300 && economy.metroTunnelCost == 50_000_000)

        // A station over the tunnel on an empty tile of land; not on water, not twice a tunnel, not under surface rail.
        city.submit(.build(.metroStation, x: 9, y: 5))
        city.submit(.build(.metroStation, x: 9, y: 3))
        city.submit(.build(.metroTunnel, x: 9, y: 2))
        city.submit(.build(.metroTunnel, x: 9, y: 0))
        city.submit(.build(.rail, x: 9, y: 6))
        city.step()
        let log = city.view.commandLog.suffix(5).map(\.outcome)
        #expect(log[log.startIndex].succeeded)
        #expect(log[log.startIndex + 1] == .refused(.cannotBuildOn(.water)))
        #expect(log[log.startIndex + 2] == .refused(.alreadyTunnel))
        #expect(log[log.startIndex + 3] == .refused(.tunnelMeetsRail))
        #expect(log[log.startIndex + 4] == .refused(.tunnelMeetsRail))
        #expect(city.view.map.metroStationDistance[city.view.map.index(8, 5)] == 1)
        #expect(city.view.map.sameRailLine(city.view.map.index(9, 5), city.view.map.index(9, 5)))

        // Demolishing the station leaves the tunnel; demolishing the empty tile fills the tunnel in.
        city.submit(.demolish(x: 9, y: 5))
        city.step()
        #expect(tile(city, 9, 5) == (.land, .none, true))
        let fill = city.submit(.demolish(x: 9, y: 5))
        city.step()
        #expect(tile(city, 9, 5) == (.land, .none, false))
        let cut = city.view.map
        #expect(cut.railComponent[cut.index(9, 0)] != cut.railComponent[cut.index(9, 7)], "the line is cut")
        city.submit(.undo(index: fill))
        city.step()
        #expect(tile(city, 9, 5).tunnel, "undoing the demolition digs the tunnel again")
    }

    @Test func undoingATunnelRefundsItAndTakesBackItsCarbon() {
        let city = riverTown()
        city.run(hours: 1)
        let index = city.submit(.build(.metroTunnel, x: 6, y: 6))
        city.step()
        #expect(constructionThisMonth(city) == -economy.metroTunnelCost)
        city.submit(.undo(index: index))
        city.step()
        #expect(!tile(city, 6, 6).tunnel && tile(city, 6, 6).structure == .entity, "the homes above stay")
        #expect(constructionThisMonth(city) == 0)
        #expect(city.view.networkBooks[.tunnel].flow.yearQuantity == 0)
    }

    @Test func tunnelsAndNetworkBooksSurviveASave() throws {
        let city = riverTown()
        for y in 2...5 { city.submit(.build(.road, x: 6, y: y)) }
        for x in 2...5 { city.submit(.build(.metroTunnel, x: x, y: 4)) }
        city.run(hours: 2)
        let bytes = try city.saveData()
        #expect(bytes[8] == UInt8(SaveGame.formatVersion))
        let loaded = try SaveGame.decode(bytes, catalog: testCatalog).city
        #expect(loaded.view.map.tunnel == city.view.map.tunnel)
        #expect(loaded.view.map.railComponent == city.view.map.railComponent)
        for piece in NetworkPiece.allCases {
            #expect(loaded.view.networkBooks[piece].flow == city.view.networkBooks[piece].flow)
            #expect(loaded.view.networkBooks[piece].lifetimeTonnes == city.view.networkBooks[piece].lifetimeTonnes)
        }
        #expect(loaded.world.contentHash() == city.world.contentHash())
    }

    /// A save written by the game before format 5 (see the fixture's README) loads through the
    /// migration: no tunnels, empty network books, the balance and rail network it had.
    @Test func aFormat4SaveLoadsWithNoTunnels() throws {
        let path = repositoryRoot + "/Tests/CitySimTests/Saves/format4/lesson05-year1.nzsave"
        #expect(try SaveGame.readHeader(from: path).formatVersion == 4)
        let loaded = try SaveGame.load(from: path, catalog: testCatalog).city
        let map = loaded.view.map
        #expect(map.tunnel.count == map.tileCount && !map.tunnel.contains(true))
        #expect(NetworkPiece.allCases.allSatisfy { !loaded.view.networkBooks[$0].flow.isUsed })
        #expect(abs(loaded.view.budget.balance - 284_068_695.4141) < 0.000_05, "\(loaded.view.budget.balance)")
        #expect(loaded.view.commandLog.count == 74)
        #expect((0..<map.tileCount).contains { map.structure[$0] == .metroStation } && map.railComponent.contains { $0 >= 0 })
        // It plays on, builds a tunnel, and saves in today's format.
        loaded.submit(.build(.metroTunnel, x: 1, y: 1))
        loaded.run(hours: 2)
        let again = try SaveGame.decode(try loaded.saveData(), catalog: testCatalog).city
        #expect(again.world.contentHash() == loaded.world.contentHash())
    }

    /// A format-2 save (read by its frozen reader) gets empty network books too: a road built
    /// after the load books its carbon.
    @Test func aFormat2SaveBooksTheRoadsBuiltAfterItsLoad() throws {
        let loaded = try SaveGame.load(from: repositoryRoot + "/Tests/CitySimTests/Saves/format2/lesson04-day200.nzsave",
                                       catalog: testCatalog).city
        let map = loaded.view.map
        #expect(!map.tunnel.contains(true))
        let free = try #require((0..<map.tileCount).first { map.structure[$0] == .none && map.terrain[$0] == .land })
        // The level's script may build what the player's toolbar lacks (lesson 4 offers no road).
        loaded.submit(.build(.road, x: free % map.width, y: free / map.width), from: .script)
        loaded.step()
        #expect(loaded.view.commandLog.last?.outcome.succeeded == true)
        #expect(loaded.view.networkBooks[.road].flow.yearQuantity == 1)
    }
}
