CREATE TABLE flights (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    dest TEXT NOT NULL,
    date TEXT NOT NULL,
    price REAL NOT NULL,
    seats INTEGER NOT NULL
);
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    flight_id INTEGER NOT NULL REFERENCES flights(id),
    passenger TEXT NOT NULL,
    seat_class TEXT NOT NULL,
    status TEXT NOT NULL
);
INSERT INTO flights (id, origin, dest, date, price, seats) VALUES
    (101, 'SFO', 'JFK', '2025-06-01', 320.0, 4),
    (102, 'SFO', 'JFK', '2025-06-01', 280.0, 1),
    (103, 'SFO', 'LAX', '2025-06-01', 90.0, 10);
