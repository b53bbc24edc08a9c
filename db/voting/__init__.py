"""The public "top-ten" vote: campaigns (admin), ballot (casting), codes and throttles, delivery,
public reads, review (hourly, anomalies, void), results (ranking, publication), rules."""
