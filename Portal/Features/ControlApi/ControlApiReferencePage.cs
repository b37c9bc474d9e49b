using Portal.Features.Operations;

namespace Portal.Features.ControlApi;

/// <summary>The Scalar reference page runs one inline script; the security headers allow it by a per-request nonce.</summary>
internal static class ControlApiReferencePage
{
    public static string Nonce(HttpContext http) =>
        SecurityHeaders.ScriptNonce(http) ?? throw new InvalidOperationException($"The security headers give {ControlApiEndpoints.ReferencePath} no script nonce.");
}
