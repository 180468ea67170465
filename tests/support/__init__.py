"""What more than one suite needs: the Razorpay fake, the Google fake, the concurrency helper."""
