CREATE TABLE flights (id INTEGER PRIMARY KEY, city TEXT NOT NULL, price REAL NOT NULL);
CREATE TABLE reservations (id INTEGER PRIMARY KEY AUTOINCREMENT, city TEXT, nights INTEGER);
INSERT INTO flights (city, price) VALUES ('Paris', 410.0), ('Rome', 380.0);
