using k8s.Models;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>The objects the tests create, shaped like the ones provisioning will create.</summary>
public static class Manifests
{
    public static V1Deployment Deployment(string name, int replicas = 2, string image = "authsome/server:1.4.2") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name, ["tier"] = "auth" } },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "server",
                            Image = image,
                            Ports = [new V1ContainerPort { ContainerPort = 8080 }],
                            Resources = new V1ResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
                            },
                        },
                    ],
                },
            },
        },
    };

    public static V1Service Service(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string> { ["app"] = name },
            Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }],
        },
    };

    public static V1Job Job(string name, int exitCode = 0, int backoffLimit = 0)
    {
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1JobSpec
            {
                BackoffLimit = backoffLimit,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string>() },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers = [new V1Container { Name = "migrate", Image = "authsome/server:1.4.2", Args = ["migrate"] }],
                    },
                },
            },
        };
        if (exitCode != 0)
        {
            job.Spec.Template.Metadata.Annotations["simulator.authsome.cloud/exit-code"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return job;
    }
}
