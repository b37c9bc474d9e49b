namespace Portal.Core.Provisioning;

/// <summary>A step cannot succeed as things are (not a transient error): the message says why and what to do.</summary>
public sealed class ProvisioningException(string message) : Exception(message);
