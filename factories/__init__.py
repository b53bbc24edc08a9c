"""What the tests, the benchmarks and the tour share: driving the app (app: AppTest; browser: the real app in
Chromium), private copies of the demo database (databases), records made through the db layer (records),
and parallel sign-ins (login_race). It depends on the app; nothing in the app depends on it."""
