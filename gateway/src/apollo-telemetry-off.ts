/**
 * @apollo/gateway reports usage to Apollo and, to label it, probes cloud metadata addresses
 * (169.254.169.254 and friends) unless this is set before it is constructed. The graph must not
 * phone home or touch the network beyond its own subgraphs. It has no telemetry pipeline of its own
 * today: what it reports is its pino logs. Set here, not in env.ts, because it is a fixed policy,
 * not a setting.
 */
// eslint-disable-next-line no-process-env -- a write, not a setting read: @apollo/gateway reads this variable itself.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
