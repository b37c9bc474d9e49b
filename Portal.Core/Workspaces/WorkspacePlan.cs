namespace Portal.Core.Workspaces;

public enum WorkspacePlan
{
    Free,
    Pro,
    Enterprise,
}
