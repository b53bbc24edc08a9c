"""The public "top-ten" vote: campaigns, voter codes and throttles, review of the votes cast."""
