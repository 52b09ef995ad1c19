# The real Pact Broker (the pact_broker gem) as a Rack app, for `npm run broker:start` and the e2e tests.
# Every broker setting comes from the broker's own PACT_BROKER_* environment variables, which
# broker/server.ts sets; none is made here.
require "sequel"
# pact_broker 2.120.0 calls a Sequel method deprecated in Sequel 5.x, and Sequel prints a warning with a
# 20-line backtrace for it on every start: noise for anyone reading the broker's log.
Sequel::Deprecation.output = nil

# Our launcher holds the other end of puma's stdin: when it dies, even by SIGKILL (a killed Jest worker),
# stdin ends and the broker stops itself instead of running on unnoticed.
if ENV["BROKER_STOP_WHEN_STDIN_CLOSES"] == "true"
  Thread.new do
    $stdin.read
    Process.kill("TERM", Process.pid)
  end
end

require "pact_broker"

run PactBroker::App.new
