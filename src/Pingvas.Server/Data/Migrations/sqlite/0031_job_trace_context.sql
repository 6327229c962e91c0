-- The W3C trace context of the submit (traceparent, then a space and the tracestate when there is
-- one): the worker that claims the job starts its spans under it, so one trace runs from the API
-- request through the queue wait, the claim, the engine run and the settlement (Telemetry/JobActivities.cs).
ALTER TABLE jobs ADD COLUMN trace_context TEXT NULL;
