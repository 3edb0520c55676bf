"""12345 tickets (工单): intake, dispatch, handling, answer, callback, rating, rectification, supervision."""
