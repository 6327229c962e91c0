namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>A server with the defaults of <see cref="TestSettings.Fast"/>, one per test class that takes it as its class fixture.</summary>
public sealed class DefaultServer : ServerFixture;
