using System.Net;
using k8s.Autorest;

namespace Portal.Core.Provisioning;

/// <summary>Reads that tell "not there" (404) apart from failures.</summary>
public static class KubernetesReads
{
    public static async Task<T?> OrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
