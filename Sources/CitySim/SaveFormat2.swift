// SaveFormat2.swift — the frozen reader of format-2 saves (game 0.2.0), the first migration.
//
// Format 2 mirrored every resource field by field in a fixed order, and kept components as raw
// bytes checked by name and size. This file reads it into today's types: a field that format 2
// did not have takes its type's default. It is never changed except to map format-2 data onto
// types that changed since; it writes nothing. `SaveMigrationTests` loads real format-2 files
// (Tests/CitySimTests/Saves/format2).
import ECS

extension SaveGame {
    /// The body of a format-2 save: header, snapshot (without field layouts), resources in a fixed order.
    static func decodeFormat2(_ r: inout BinaryReader, catalog: Catalog) throws(SnapshotError) -> (SaveHeader, World) {
        let header = try SaveHeader(saved: &r)
        let world = try decodeFormat2World(&r, catalog: catalog)
        return (header, world)
    }

    /// Rebuilds the world: entities from the snapshot, then every resource, checked against each
    /// other (array sizes against the map, map occupants against live entities).
    static func decodeFormat2World(_ r: inout BinaryReader, catalog: Catalog) throws(SnapshotError) -> World {
        let saved = try WorldSnapshot(from: &r, withLayouts: false)
        let info = try LevelInfo(saved: &r)
        let clock = try Clock(saved: &r)
        let weather = try Weather(saved: &r)
        let map = try TileMap(saved: &r)
        let ledger = try Ledger(saved: &r)
        let grid = try PowerGrid(saved: &r)
        let transport = try TransportState(saved: &r)
        let air = try AirQualityField(saved: &r)
        let budget = try Budget(saved: &r)
        let stats = try CityStats(saved: &r)
        let queue = try CommandQueue(saved: &r)
        let policies = try Policies(saved: &r)
        let market = try MarketConditions(saved: &r)
        let rules = try r.readOptional { r throws(SnapshotError) in try LevelRules(saved: &r) }
        let registry = try CarbonRegistry(saved: &r)
        let carbonMarket = try CarbonMarket(saved: &r)
        let certificates = try CertificateBook(saved: &r)
        let offsets = try OffsetBook(saved: &r)
        let adoption = try AdoptionState(saved: &r)
        let accounts = try CitizenCarbonAccounts(saved: &r)

        guard transport.width == map.width, transport.height == map.height else {
            throw .invalid("the traffic grid is \(transport.width) × \(transport.height) on a \(map.width) × \(map.height) map")
        }
        guard air.concentration.count == map.tileCount, air.emissionsToday.count == map.tileCount else {
            throw .invalid("the air-quality field does not cover the map")
        }
        guard info.startYear == clock.startYear else { throw .invalid("the level and the clock disagree on the start year") }

        var snapshot = saved
        for (i, type) in snapshot.componentTypes.enumerated() {
            if let fields = format2Layouts[type.name], type.stride == format2Strides[type.name] { snapshot.componentTypes[i].fields = fields }
        }
        let world = try World(restoring: snapshot, types: City.componentTypes, defaults: SaveGame.componentDefaults)
        for i in 0..<map.tileCount where map.structure[i] == .entity {
            guard world.isAlive(map.occupant[i]) else {
                throw .invalid("tile \(i % map.width), \(i / map.width) holds \(map.occupant[i]), which does not exist")
            }
        }
        world.insertResource(catalog)
        world.insertResource(info)
        world.insertResource(clock)
        world.insertResource(weather)
        world.insertResource(map)
        world.insertResource(ledger)
        world.insertResource(grid)
        world.insertResource(transport)
        world.insertResource(air)
        world.insertResource(budget)
        world.insertResource(BuildingLoadBook())
        world.insertResource(CommuteBook())
        world.insertResource(stats)
        world.insertResource(queue)
        world.insertResource(policies)
        world.insertResource(market)
        if let rules { world.insertResource(rules) }
        world.insertResource(registry)
        world.insertResource(carbonMarket)
        world.insertResource(certificates)
        world.insertResource(offsets)
        world.insertResource(adoption)
        world.insertResource(accounts)
        world.insertResource(BudgetBook())  // new in format 4: nothing booked before the load
        world.insertResource(NetworkBooks())  // new in format 5: roads, bridges and tunnels book from the load on
        world.insertResource(StateJournal())  // new since format 2: the years before the load are not known
        return world
    }
}

// MARK: - Resources, field by field, in format 2

/// A value as format 2 wrote it, field by field.
protocol Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError)
}

extension BinaryReader {
    mutating func readDoubles() throws(SnapshotError) -> [Double] {
        try readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readDouble() }
    }
    mutating func readFloats() throws(SnapshotError) -> [Float] {
        try readArray(minimumElementSize: 4) { r throws(SnapshotError) in try r.readFloat() }
    }
    mutating func readEntity() throws(SnapshotError) -> Entity {
        Entity(index: try read(UInt32.self), generation: try read(UInt32.self))
    }
    /// An Int within `range`, or the input is corrupt.
    mutating func readInt(in range: ClosedRange<Int>, _ what: String) throws(SnapshotError) -> Int {
        let value = try readInt()
        guard range.contains(value) else { throw .invalid("\(what) is \(value), outside \(range.lowerBound)…\(range.upperBound)") }
        return value
    }
    /// An array of exactly `count` elements (a count written before them must match).
    mutating func readDoubles(count: Int, _ what: String) throws(SnapshotError) -> [Double] {
        let values = try readDoubles()
        guard values.count == count else { throw .invalid("\(what) has \(values.count) values, not \(count)") }
        return values
    }
    mutating func readFloats(count: Int, _ what: String) throws(SnapshotError) -> [Float] {
        let values = try readFloats()
        guard values.count == count else { throw .invalid("\(what) has \(values.count) values, not \(count)") }
        return values
    }
}

/// Years a save may start in: wide, but small enough that calendar arithmetic cannot overflow.
private let plausibleYears = -100_000...100_000
/// Ticks a save may be at (about 125,000 years of hours).
private let plausibleTicks: ClosedRange<Int64> = 0...(1 << 40)

extension SaveHeader {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        formatVersion = 2
        gameVersion = try r.readString(limit: 256)
        levelID = try r.readString()
        levelTitle = try r.readString()
        levelFile = try r.readString()
        seed = try r.read(UInt64.self)
        startYear = try r.readInt(in: plausibleYears, "the start year")
        tick = try r.read(Int64.self)
        guard plausibleTicks.contains(tick) else { throw .invalid("the clock tick \(tick) is impossible") }
        catalogFingerprint = try r.read(UInt64.self)
        catalogOverrides = try r.readArray(minimumElementSize: 16) { r throws(SnapshotError) in
            CatalogOverride(file: try r.readString(), text: try r.readString(limit: 1 << 26))
        }
        scriptState = try r.readOptional { r throws(SnapshotError) in try r.readString(limit: 1 << 28) }
    }
}

extension LevelInfo: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(id: try r.readString(), title: try r.readString(), seed: try r.read(UInt64.self),
                  startYear: try r.readInt(in: plausibleYears, "the start year"), initialOccupancy: try r.readDouble())
    }
}

extension Clock: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let startYear = try r.readInt(in: plausibleYears, "the start year")
        let tick = try r.read(Int64.self)
        guard plausibleTicks.contains(tick) else { throw .invalid("the clock tick \(tick) is impossible") }
        self.init(startYear: startYear, tick: tick)
    }
}

extension SimDate {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(), month: try r.readInt(in: 1...12, "a month"), day: try r.readInt(in: 1...31, "a day"),
                  hour: try r.readInt(in: 0...23, "an hour"))
    }
}

extension Weather: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(seed: 0)
        temperature = try r.readDouble()
        cloud = try r.readDouble()
        windSpeed = try r.readDouble()
        solarFactor = try r.readDouble()
        windFactor = try r.readDouble()
        inDrought = try r.readBool()
        heatwave = try r.readBool()
        random = SeededRandom(seed: try r.read(UInt64.self))
        cloudAnomaly = try r.readDouble()
        windAnomaly = try r.readDouble()
        temperatureAnomaly = try r.readDouble()
        droughtStartDay = try r.readInt()
        droughtYear = try r.readInt()
        eventWarming = try r.readDouble()
        override = try r.readOptional { r throws(SnapshotError) in
            WeatherOverride(temperature: try r.readOptional { r throws(SnapshotError) in try r.readDouble() },
                            windSpeed: try r.readOptional { r throws(SnapshotError) in try r.readDouble() },
                            cloud: try r.readOptional { r throws(SnapshotError) in try r.readDouble() },
                            drought: try r.readOptional { r throws(SnapshotError) in try r.readBool() })
        }
    }
}

extension LedgerTally: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        var cells = [Double](repeating: 0, count: LedgerTally.cells)
        for sector in Sector.allCases {
            for scope in Scope.allCases { cells[Int(sector.rawValue) * 3 + Int(scope.rawValue)] = try r.readDouble() }
        }
        withUnsafeMutableBytes(of: &cellsStorage) { storage in
            cells.withUnsafeBytes { storage.copyMemory(from: $0) }
        }
        removals = try r.readDouble()
    }
}

extension LedgerPeriod: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(start: try SimDate(saved: &r))
        tally = try LedgerTally(saved: &r)
        retired = try LedgerTally(saved: &r)
        electricityKWh = try r.readDouble()
        renewableKWh = try r.readDouble()
        unservedKWh = try r.readDouble()
        curtailedKWh = try r.readDouble()
        powerEmissions = try r.readDouble()
        blackoutHours = try r.readInt()
        for kind in PlantKind.allCases { generationKWh[kind] = try r.readDouble() }
    }
}

extension Ledger: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let tick = try LedgerTally(saved: &r)
        let hourly = try r.readArray(minimumElementSize: 64, limit: Ledger.hoursKept) { r throws(SnapshotError) in
            try LedgerPeriod(saved: &r)
        }
        let today = try LedgerPeriod(saved: &r)
        self.init(start: today.start)
        self.tick = tick
        self.hourly = hourly
        self.today = today
        thisYear = try LedgerPeriod(saved: &r)
        years = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try LedgerPeriod(saved: &r) }
        cumulative = try LedgerTally(saved: &r)
        retiredThisYear = try LedgerTally(saved: &r)
        retiredThisTick = try LedgerTally(saved: &r)
        hourPower = (try r.readDouble(), try r.readDouble(), try r.readDouble(), try r.readDouble(), try r.readDouble())
    }
}

extension PowerGrid: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        let n = try r.readInt(in: 1...(TileMap.maximumSide * TileMap.maximumSide + 1), "the number of power islands")
        islandCount = n
        demandKWh = try r.readDoubles(count: n, "demand per island")
        deliveredKWh = try r.readDoubles(count: n, "delivered energy per island")
        unservedKWh = try r.readDoubles(count: n, "unserved energy per island")
        curtailedKWh = try r.readDoubles(count: n, "curtailed energy per island")
        renewableKWh = try r.readDoubles(count: n, "renewable energy per island")
        emissions = try r.readDoubles(count: n, "emissions per island")
        factor = try r.readDoubles(count: n, "grid factor per island")
        scratchDemand = try r.readDoubles(count: n, "gathered demand per island")
        scratchRooftop = try r.readDoubles(count: n, "gathered rooftop PV per island")
        blackoutHoursThisYear = try r.readInt()
    }
}

extension TransportState: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let width = try r.readInt(in: 1...TileMap.maximumSide, "the traffic grid's width")
        let height = try r.readInt(in: 1...TileMap.maximumSide, "the traffic grid's height")
        self.init(width: width, height: height)
        tileFlowsYesterday = try r.readFloats(count: width * height, "yesterday's traffic")
        rowDifference = try r.readFloats(count: rowDifference.count, "today's traffic by row")
        columnDifference = try r.readFloats(count: columnDifference.count, "today's traffic by column")
        districtCongestion = try r.readFloats(count: districtCongestion.count, "congestion per district")
        tripsByMode = try r.readDoubles(count: TravelMode.allCases.count, "trips by mode")
        commuteMinutesTotal = try r.readDouble()
        commuteCount = try r.readDouble()
        // Format 2 counted a commuter with no way to work as an endless walk: the day's mean
        // restarts rather than carry an infinite total into today's saves.
        if !commuteMinutesTotal.isFinite {
            commuteMinutesTotal = 0
            commuteCount = 0
        }
    }
}

extension AirQualityField: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let concentration = try r.readFloats()
        self.init(tiles: 0)
        self.concentration = concentration
        emissionsToday = try r.readFloats(count: concentration.count, "today's air emissions")
    }
}

extension Budget: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(balance: try r.readDouble())
        incomeThisYear = try r.readDouble()
        spendingThisYear = try r.readDouble()
    }
}

extension CityStats: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        census = try Census(saved: &r)
        happiness = try r.readDouble()
        airQuality = try r.readDouble()
        greenTiles = try r.readInt()
        meanCommuteMinutes = try r.readDouble()
        reliability = try r.readDouble()
        censusInProgress = try Census(saved: &r)
        migrationCarry = try r.readDouble()
        servedToday = try r.readDouble()
        demandToday = try r.readDouble()
    }
}

extension Census: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(population: try r.readInt(), jobs: try r.readInt(), employed: try r.readInt(),
                  schoolPlaces: try r.readDouble(), hospitalBeds: try r.readDouble())
    }
}

extension Structure {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .building(try r.readEnum(BuildingKind.self), density: try r.readDouble())
        case 1: self = .plant(try r.readEnum(PlantKind.self))
        case 2: self = .storage(try r.readEnum(StorageKind.self))
        case 3: self = .zone(try r.readEnum(ZoneKind.self))
        case 4: self = .road
        case 5: self = .rail
        case 6: self = .busStop
        case 7: self = .metroStation
        case 8: self = .bikeLane
        case let tag: throw .invalid("\(tag) is not a kind of structure")
        }
    }
}

extension CityCommand {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .build(try Structure(saved: &r), x: try r.readInt(), y: try r.readInt())
        case 1: self = .demolish(x: try r.readInt(), y: try r.readInt())
        case 2: self = .upgrade(try r.readEnum(UpgradeKind.self), x: try r.readInt(), y: try r.readInt())
        case 3: self = .setPolicy(try r.readString(), try r.readDouble())
        case 4: self = .sellOffsets(count: try r.readInt())
        case let tag: throw .invalid("\(tag) is not a kind of command")
        }
    }
}

extension CommandOutcome {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .done(cost: try r.readDouble())
        case 1: self = .refused(.recorded(try r.readString()))
        case let tag: throw .invalid("\(tag) is not a command outcome")
        }
    }
}

extension CommandQueue: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        pending = try r.readArray(minimumElementSize: 10) { r throws(SnapshotError) in
            (command: try CityCommand(saved: &r), source: try r.readEnum(CommandSource.self))
        }
        applied = try r.readArray(minimumElementSize: 26) { r throws(SnapshotError) in
            CommandRecord(tick: try r.read(Int64.self), command: try CityCommand(saved: &r),
                          outcome: try CommandOutcome(saved: &r), source: try r.readEnum(CommandSource.self))
        }
    }
}

extension Policies: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        let values = try r.readDoubles(count: PolicyLever.all.count, "policies")
        for (lever, value) in zip(PolicyLever.all, values) {
            guard value.isFinite else { throw .invalid("policy \(lever.name) is not a number") }
            self[keyPath: lever.keyPath] = value
        }
    }
}

extension MarketConditions: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        fuelPriceMultiplier = try r.readDouble()
        coalAvailability = try r.readDouble()
    }
}

extension Names {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(en: try r.readString(), zh: try r.readString())
    }
}

extension TriggerCondition {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .metric(try r.readEnum(Metric.self), try r.readEnum(Comparison.self), try r.readDouble())
        case 1: self = .date(year: try r.readInt(), month: try r.readInt(), day: try r.readInt())
        case 2: self = .built(try r.readString())
        case 3: self = .objective(try r.readString(), try r.readEnum(ObjectiveStatus.self))
        case let tag: throw .invalid("\(tag) is not a kind of trigger condition")
        }
    }
}

extension TriggerAction {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .message(try Names(saved: &r))
        case 1: self = .advisor(try Names(saved: &r))
        case 2: self = .grant(try r.readDouble())
        case 3: self = .unlock(try r.readString())
        case 4:
            self = .event(try r.readEnum(LevelEventKind.self), days: try r.readInt(),
                          policy: try r.readOptional { r throws(SnapshotError) in try r.readString() },
                          value: try r.readOptional { r throws(SnapshotError) in try r.readDouble() })
        case 5: self = .win
        case 6: self = .lose
        case let tag: throw .invalid("\(tag) is not a kind of trigger action")
        }
    }
}

extension LevelRules: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let objectives = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in
            Objective(id: try r.readString(), title: try Names(saved: &r), metric: try r.readEnum(Metric.self),
                      comparison: try r.readEnum(Comparison.self), target: try r.readDouble(),
                      deadlineYear: try r.readInt(), required: try r.readBool())
        }
        let triggers = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in
            Trigger(id: try r.readString(), when: try TriggerCondition(saved: &r),
                    actions: try r.readArray { r throws(SnapshotError) in try TriggerAction(saved: &r) },
                    once: try r.readBool())
        }
        let tools = try r.readOptional { r throws(SnapshotError) in
            Set(try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readString() })
        }
        self.init(objectives: objectives, triggers: triggers, allowedTools: tools)
        statuses = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readEnum(ObjectiveStatus.self) }
        values = try r.readDoubles()
        fired = try r.readArray { r throws(SnapshotError) in try r.readBool() }
        guard statuses.count == objectives.count, values.count == objectives.count, fired.count == triggers.count else {
            throw .invalid("the level's progress does not match its \(objectives.count) objectives and \(triggers.count) triggers")
        }
        result = try r.readEnum(LevelResult.self)
        messages = try r.readArray(minimumElementSize: 24) { r throws(SnapshotError) in
            LevelMessage(tick: try r.read(Int64.self), kind: try r.readEnum(LevelMessage.Kind.self), text: try Names(saved: &r))
        }
        events = try r.readArray(minimumElementSize: 16) { r throws(SnapshotError) in
            ActiveEvent(kind: try r.readEnum(LevelEventKind.self), endsAtTick: try r.read(Int64.self))
        }
        _ = try r.readInt(in: 0...Int(Int32.max), "the number of commands the rules have seen")  // today: CommandApplied events
    }
}

// MARK: - The tile map (rebuilt through its own API)
//
// The map's arrays can only be set through its own methods, so loading replays them: terrain,
// then one `setStructure` per occupied tile, padded with no-op calls so that `revision` (which
// counts those calls) and `linkedRevision` come out exactly as saved; then bike lanes; then the
// derived networks are rebuilt, which gives the saved ones since they are a pure function of the
// structures (a save is refused while they are out of date).

extension TileMap: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let width = try r.readInt(in: 1...TileMap.maximumSide, "the map's width")
        let height = try r.readInt(in: 1...TileMap.maximumSide, "the map's height")
        let terrain = try r.readBytes()
        let structure = try r.readBytes()
        let occupant = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readEntity() }
        let bikeLane = try r.readBytes()
        let roadComponentCount = try r.readInt()
        guard !(try r.readBool()) else { throw .invalid("the map was saved with its networks out of date") }
        let revision = try r.readInt()
        let linkedRevision = try r.readInt()
        do throws(SaveValidationError) {
            self = try TileMap(restoringWidth: width, height: height, terrain: terrain, structure: structure, occupant: occupant,
                               bikeLane: bikeLane.map { $0 != 0 }, tunnel: Array(repeating: false, count: width * height),
                               roadComponentCount: roadComponentCount,
                               revision: revision, linkedRevision: linkedRevision)
            guard bikeLane.allSatisfy({ $0 <= 1 }) else { throw SaveValidationError("a bike-lane flag is neither 0 nor 1") }
        } catch {
            throw .invalid(error.message)
        }
    }
}

// MARK: - The carbon market, certificates and offsets

extension MarketRules {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        threshold = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        firstYear = try r.readOptional { r throws(SnapshotError) in try r.readInt() }
        fixedPrice = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        benchmarkAllocation = try r.readBool()
        penaltyMultiple = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        firms = try r.readArray(minimumElementSize: 19) { r throws(SnapshotError) in
            var firm = FirmSetting(x: try r.readInt(), y: try r.readInt())
            firm.name = try r.readOptional { r throws(SnapshotError) in try Names(saved: &r) }
            firm.abatement = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
            firm.buys = try r.readBool()
            return firm
        }
    }
}

extension CarbonMarket: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        rules = try MarketRules(saved: &r)
        firms = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try CoveredFirm(saved: &r) }
        government = try r.read(Int32.self)
        periods = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try MarketPeriod(saved: &r) }
        current = try r.readOptional { r throws(SnapshotError) in try MarketPeriod(saved: &r) }
    }
}

extension CoveredFirm {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let entity = try r.readEntity()
        let account = try r.read(Int32.self)
        let kind = try r.readEnum(CoveredKind.self)
        let name = try Names(saved: &r)
        let d = try r.readDoubles(count: 10, "a covered firm")
        guard d.allSatisfy(\.isFinite) else { throw .invalid("a covered firm's figures are not numbers") }
        self.init(entity: entity, account: account, kind: kind, name: name, baseline: d[0], activity: d[1])
        expected = d[2]; abatement = d[3]; abatementCost = d[4]; tradeRevenue = d[5]; tradeCost = d[6]; fine = d[7]; tax = d[8]; reputation = d[9]
        allocated = try r.read(Int64.self); bought = try r.read(Int64.self); sold = try r.read(Int64.self)
        verified = try r.read(Int64.self); surrendered = try r.read(Int64.self); offsetsSurrendered = try r.read(Int64.self)
        shortfall = try r.read(Int64.self)
        status = try r.readEnum(ComplianceStatus.self)
        active = try r.readBool()
        fixedAbatement = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        buysShortfall = try r.readBool()
    }
}

extension MarketPeriod {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(in: -100_000...100_000, "a market period's year"))
        cap = try r.read(Int64.self); freeAllocation = try r.read(Int64.self); auctioned = try r.read(Int64.self)
        reserveSold = try r.read(Int64.self); verified = try r.read(Int64.self); surrendered = try r.read(Int64.self)
        offsetsSurrendered = try r.read(Int64.self); lapsed = try r.read(Int64.self)
        let d = try r.readDoubles(count: 4, "a market period")
        (price, auctionRevenue, fines, taxes) = (d[0], d[1], d[2], d[3])
        firms = try r.readInt(in: 0...Int(Int32.max), "a period's firm count")
        compliant = try r.readInt(in: 0...firms, "a period's compliant firms")
        settled = try r.readBool()
        results = try r.readArray(minimumElementSize: 90) { r throws(SnapshotError) in
            let account = try r.read(Int32.self)
            let d = try r.readDoubles(count: 3, "a firm's result")
            var counts: [Int64] = []
            for _ in 0..<7 { counts.append(try r.read(Int64.self)) }
            return FirmResult(account: account, abatement: d[0], allocated: counts[0], bought: counts[1], sold: counts[2],
                              verified: counts[3], surrendered: counts[4], offsetsSurrendered: counts[5], shortfall: counts[6],
                              fine: d[1], netCash: d[2], status: try r.readEnum(ComplianceStatus.self))
        }
        trades = try r.readArray(minimumElementSize: 25) { r throws(SnapshotError) in
            MarketTrade(stage: try r.readEnum(MarketTrade.Stage.self), buyer: try r.read(Int32.self), seller: try r.read(Int32.self),
                        count: try r.read(Int64.self), price: try r.readDouble())
        }
    }
}

extension CertificateBook: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let readAccounts = { (r: inout BinaryReader) throws(SnapshotError) -> [(entity: Entity, account: RegistryAccountID)] in
            try r.readArray(minimumElementSize: 12) { r throws(SnapshotError) in (try r.readEntity(), try r.read(Int32.self)) }
        }
        let generators = try readAccounts(&r)
        let consumers = try readAccounts(&r)
        let years = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try CertificateYear(saved: &r) }
        self.init(year: 0)
        thisYear = try CertificateYear(saved: &r)
        self.generators = generators
        self.consumers = consumers
        self.years = years
    }
}

extension CertificateYear {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(in: -100_000...100_000, "a certificate year"))
        issued = try r.read(Int64.self)
        retired = try r.read(Int64.self)
        let d = try r.readDoubles(count: 7, "a certificate year")
        (renewableKWh, claimedKWh, consumedKWh, locationBased, marketBased, residualFactor, revenue) = (d[0], d[1], d[2], d[3], d[4], d[5], d[6])
        claims = try r.readArray(minimumElementSize: 32) { r throws(SnapshotError) in
            let entity = try r.readEntity()
            let account = try r.read(Int32.self)
            let name = try Names(saved: &r)
            let d = try r.readDoubles(count: 4, "a certificate claim")
            return CertificateClaim(entity: entity, account: account, name: name, consumedKWh: d[0], claimedKWh: d[1],
                                    locationTonnes: d[2], marketTonnes: d[3])
        }
    }
}

extension OffsetBook: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let projects = try r.readArray(minimumElementSize: 60) { r throws(SnapshotError) in
            var p = OffsetProject(entity: try r.readEntity(), x: try r.readInt(), y: try r.readInt(), kind: try r.readEnum(ZoneKind.self),
                                  registeredYear: try r.readInt())
            p.issued = try r.read(Int64.self)
            p.reversed = try r.read(Int64.self)
            p.credited = try r.readDouble()
            p.carry = try r.readDouble()
            p.burnsSeen = try r.readInt()
            p.active = try r.readBool()
            return p
        }
        let city = try r.read(Int32.self)
        let buffer = try r.read(Int32.self)
        let years = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try OffsetYear(saved: &r) }
        self.init(year: 0)
        thisYear = try OffsetYear(saved: &r)
        _ = try r.readInt(in: 0...Int(Int32.max), "the offsets' command cursor")  // today: CommandApplied events
        bufferCarry = try r.readDouble()
        self.projects = projects
        cityAccount = city
        bufferAccount = buffer
        self.years = years
    }
}

extension OffsetYear {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(in: -100_000...100_000, "an offset year"))
        let d = try r.readDoubles(count: 3, "an offset year")
        (projectRemovals, baseline, exportRevenue) = (d[0], d[1], d[2])
        issued = try r.read(Int64.self); buffered = try r.read(Int64.self); exported = try r.read(Int64.self)
        reversed = try r.read(Int64.self); uncovered = try r.read(Int64.self)
    }
}


// MARK: - Policies and adoption

extension AdoptionState: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let share = try r.readDouble()
        guard share >= 0 && share <= 1 else { throw .invalid("the EV fleet share is \(share), outside 0…1") }
        self.init(evFleetShare: share)
        fuelTaxDue = try r.readDouble()
        fuelTaxOnCityPlantsDue = try r.readDouble()
        fuelTaxThisYear = try r.readDouble()
        fuelTaxOnCityPlantsThisYear = try r.readDouble()
        subsidiesThisYear = try r.readDouble()
        rushNoticeYear = try r.readInt()
        for value in [fuelTaxDue, fuelTaxOnCityPlantsDue, fuelTaxThisYear, fuelTaxOnCityPlantsThisYear, subsidiesThisYear] where !value.isFinite {
            throw .invalid("the policy accounts hold a value that is not a number")
        }
    }
}

// MARK: - Citizens' carbon accounts
extension PointsBySource {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        values = try r.readDoubles(count: PointSource.allCases.count, "points by source")
        guard values.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw .invalid("points by source must be finite and not negative") }
    }
}

extension CitizenCarbonAccounts: Format2Readable {
    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        func amount(_ what: String) throws(SnapshotError) -> Double {
            let value = try r.readDouble()
            guard value.isFinite, value >= 0 else { throw .invalid("\(what) is \(value), not a finite amount") }
            return value
        }
        earned = try PointsBySource(saved: &r)
        pool = try amount("the platform's pool of points")
        redeemed = try amount("the points redeemed")
        treesPlanted = try amount("the trees planted")
        treesPlantedThisYear = try amount("the trees planted this year")
        guard treesPlantedThisYear <= treesPlanted else { throw .invalid("more trees planted this year than in all years") }
        let side = TileMap.maximumSide
        forests = try r.readArray(minimumElementSize: 64, limit: side * side) { r throws(SnapshotError) in
            let x = try r.readInt(in: 0...(side - 1), "a planted forest's x")
            let y = try r.readInt(in: 0...(side - 1), "a planted forest's y")
            let date = try SimDate(saved: &r)
            let trees = try r.readDouble()
            guard trees.isFinite, trees >= 0 else { throw .invalid("a planted forest has \(trees) trees") }
            return PlantedForest(x: x, y: y, date: date, trees: trees, entity: try r.readEntity())
        }
        participants = try r.readInt(in: 0...Int(Int32.max), "the participants")
        participantBits = try r.readArray(minimumElementSize: 8, limit: 1 << 26) { r throws(SnapshotError) in try r.read(UInt64.self) }
        let marked = participantBits.reduce(0) { $0 + $1.nonzeroBitCount }
        guard marked == participants else { throw .invalid("\(participants) participants but \(marked) marked citizens") }
        history = try r.readArray(minimumElementSize: 8 + 8 + 8 * PointSource.allCases.count + 16) { r throws(SnapshotError) in
            let year = try r.readInt(in: -100_000...100_000, "an account year")
            let earned = try PointsBySource(saved: &r)
            let participants = try r.readInt(in: 0...Int(Int32.max), "a year's participants")
            let trees = try r.readDouble()
            guard trees.isFinite, trees >= 0 else { throw .invalid("a year's trees planted is \(trees)") }
            return CarbonAccountYear(year: year, earned: earned, participants: participants, treesPlanted: trees)
        }
        heatingDegreeHours = try amount("today's heating degree-hours")
        coolingDegreeHours = try amount("today's cooling degree-hours")
        sunHours = try amount("today's sun hours")
    }
}

// MARK: - The registry
// Layout: accounts (id Int32, kind UInt8, names, optional entity), issued counts per kind (Int64),
// blocks (kind UInt8, firstSerial UInt64, count Int64, vintage Int32, owner Int32, status UInt8,
// origin Int32), history (tick Int64, operation UInt8, kind UInt8, vintage Int32, firstSerial
// UInt64, count Int64, from Int32, to Int32, note). Public so that tests can reach it.
extension CarbonRegistry: Format2Readable {
    /// Reads a registry and requires `audit()` to find nothing: a damaged record is refused, not repaired.
    public init(saved r: inout BinaryReader) throws(SnapshotError) {
        // Minimum sizes: id, kind, two empty strings, no entity; 3 × 8-byte counts; a block; an entry with an empty note.
        let accounts = try r.readArray(minimumElementSize: 4 + 1 + 16 + 1) { r throws(SnapshotError) in
            RegistryAccount(id: try r.read(Int32.self), kind: try r.readEnum(RegistryAccountKind.self), name: try Names(saved: &r),
                            entity: try r.readOptional { r throws(SnapshotError) in try r.readEntity() })
        }
        let issued = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.read(Int64.self) }
        guard issued.count == RegistryUnitKind.allCases.count else {
            throw .invalid("the carbon registry counts issued units for \(issued.count) kinds, not \(RegistryUnitKind.allCases.count)")
        }
        let blocks = try r.readArray(minimumElementSize: 1 + 8 + 8 + 4 + 4 + 1 + 4) { r throws(SnapshotError) in
            UnitBlock(kind: try r.readEnum(RegistryUnitKind.self), firstSerial: try r.read(UInt64.self), count: try r.read(Int64.self),
                      vintage: try r.read(Int32.self), owner: try r.read(Int32.self), status: try r.readEnum(RegistryUnitStatus.self),
                      origin: try r.read(Int32.self))
        }
        let history = try r.readArray(minimumElementSize: 8 + 1 + 1 + 4 + 8 + 8 + 4 + 4 + 8) { r throws(SnapshotError) in
            RegistryEntry(tick: try r.read(Int64.self), operation: try r.readEnum(RegistryOperation.self),
                          kind: try r.readEnum(RegistryUnitKind.self), vintage: try r.read(Int32.self),
                          firstSerial: try r.read(UInt64.self), count: try r.read(Int64.self), from: try r.read(Int32.self),
                          to: try r.read(Int32.self), note: try r.readString(limit: 1 << 20))
        }
        self.init(unchecked: accounts, issued: issued, blocks: blocks, history: history)
        let problems = audit()
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more problems)" : ""
            throw .invalid("the carbon registry does not add up: \(first)\(more)")
        }
    }
}

/// Field layouts of the components that changed since format 2, as the format-2 game laid them
/// out (format-2 snapshots kept none): their columns are converted by field name like any other.
private let format2Strides: [String: Int] = ["CitySim.PowerPlant": 56, "CitySim.Citizen": 72, "CitySim.Building": 80]
    .merging(format2LineNames.map { ($0, 80) }, uniquingKeysWith: { $1 })
private let format2Layouts: [String: [ComponentLayout.Field]] = format2BaseLayouts
    .merging(format2LineNames.map { ($0, format2LineLayout) }, uniquingKeysWith: { $1 })

/// Every kind of ledger line had one layout: its `Flow` in declaration order, then the lifetime total.
private let format2LineLayout: [ComponentLayout.Field] = [
    .init(path: "flow.factor.raw", typeName: "Swift.UInt16", offset: 0, size: 2),
    .init(path: "flow.factorValue", typeName: "Swift.Double", offset: 8, size: 8),
    .init(path: "flow.sector", typeName: "CitySim.Sector", offset: 16, size: 1),
    .init(path: "flow.scope", typeName: "CitySim.Scope", offset: 17, size: 1),
    .init(path: "flow.tick", typeName: "Swift.Int64", offset: 24, size: 8),
    .init(path: "flow.year", typeName: "Swift.Int", offset: 32, size: 8),
    .init(path: "flow.tickQuantity", typeName: "Swift.Double", offset: 40, size: 8),
    .init(path: "flow.tickTonnes", typeName: "Swift.Double", offset: 48, size: 8),
    .init(path: "flow.yearQuantity", typeName: "Swift.Double", offset: 56, size: 8),
    .init(path: "flow.yearTonnes", typeName: "Swift.Double", offset: 64, size: 8),
    .init(path: "lifetimeTonnes", typeName: "Swift.Double", offset: 72, size: 8),
]

private let format2LineNames: [String] = {
    struct Names: LedgerLineVisitor {
        var names: [String] = []
        mutating func visit<K: LineKind>(_ type: LedgerLine<K>.Type) { names.append(String(reflecting: type)) }
    }
    var names = Names()
    LedgerLineKinds.visitAll(&names)
    return names.names
}()

private let format2BaseLayouts: [String: [ComponentLayout.Field]] = [
    "CitySim.Building": [
        .init(path: "kind", typeName: "CitySim.BuildingKind", offset: 0, size: 1),
        .init(path: "density", typeName: "Swift.Double", offset: 8, size: 8),
        .init(path: "upgrades", typeName: "Swift.UInt8", offset: 16, size: 1),
        .init(path: "island", typeName: "Swift.Int32", offset: 20, size: 4),
        .init(path: "residents", typeName: "Swift.Int32", offset: 24, size: 4),
        .init(path: "workers", typeName: "Swift.Int32", offset: 28, size: 4),
        .init(path: "demandKWh", typeName: "Swift.Double", offset: 32, size: 8),
        .init(path: "servedFraction", typeName: "Swift.Double", offset: 40, size: 8),
        .init(path: "rooftopKWh", typeName: "Swift.Double", offset: 48, size: 8),
        .init(path: "output", typeName: "Swift.Double", offset: 56, size: 8),
        .init(path: "hasRailSiding", typeName: "Swift.Bool", offset: 64, size: 1),
        .init(path: "abatement", typeName: "Swift.Double", offset: 72, size: 8),
    ],
    "CitySim.PowerPlant": [
        .init(path: "kind", typeName: "CitySim.PlantKind", offset: 0, size: 1),
        .init(path: "island", typeName: "Swift.Int32", offset: 4, size: 4),
        .init(path: "hasCCUS", typeName: "Swift.Bool", offset: 8, size: 1),
        .init(path: "outputKW", typeName: "Swift.Double", offset: 16, size: 8),
        .init(path: "availableKW", typeName: "Swift.Double", offset: 24, size: 8),
        .init(path: "curtailedKWh", typeName: "Swift.Double", offset: 32, size: 8),
        .init(path: "abatement", typeName: "Swift.Double", offset: 40, size: 8),
        .init(path: "meteredKWh", typeName: "Swift.Double", offset: 48, size: 8),
    ],
    // Before `stranded` (every resident's trips): the same fields, 72 bytes.
    "CitySim.Citizen": [
        .init(path: "home.index", typeName: "Swift.UInt32", offset: 0, size: 4),
        .init(path: "home.generation", typeName: "Swift.UInt32", offset: 4, size: 4),
        .init(path: "work.index", typeName: "Swift.UInt32", offset: 8, size: 4),
        .init(path: "work.generation", typeName: "Swift.UInt32", offset: 12, size: 4),
        .init(path: "homeTile", typeName: "Swift.Int32", offset: 16, size: 4),
        .init(path: "workTile", typeName: "Swift.Int32", offset: 20, size: 4),
        .init(path: "island", typeName: "Swift.Int32", offset: 24, size: 4),
        .init(path: "mode", typeName: "CitySim.TravelMode", offset: 28, size: 1),
        .init(path: "hasCar", typeName: "Swift.Bool", offset: 29, size: 1),
        .init(path: "hasElectricCar", typeName: "Swift.Bool", offset: 30, size: 1),
        .init(path: "commuteMinutes", typeName: "Swift.Float", offset: 32, size: 4),
        .init(path: "pendingKWh", typeName: "Swift.Double", offset: 40, size: 8),
        .init(path: "access.km", typeName: "Swift.Float", offset: 48, size: 4),
        .init(path: "access.busAccessMinutes", typeName: "Swift.Float", offset: 52, size: 4),
        .init(path: "access.metroAccessMinutes", typeName: "Swift.Float", offset: 56, size: 4),
        .init(path: "access.roadConnected", typeName: "Swift.Bool", offset: 60, size: 1),
        .init(path: "access.bikeLane", typeName: "Swift.Bool", offset: 61, size: 1),
        .init(path: "access.homeDistrict", typeName: "Swift.Int32", offset: 64, size: 4),
        .init(path: "access.workDistrict", typeName: "Swift.Int32", offset: 68, size: 4),
    ],
]
