namespace Portal.Core.Operations;

/// <summary>A log line's severity, in increasing order: a level filter keeps its level and the ones above.</summary>
public enum InstanceLogLevel
{
    Debug,
    Info,
    Warn,
    Error,
}
