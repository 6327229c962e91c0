namespace Pingvas.Server.Gallery;

/// <summary>A user's folder of images, nested at most one level (a child's parent has no parent).</summary>
public sealed class Folder
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public Guid? ParentId { get; set; }

    public required string Name { get; set; }

    public DateTime CreatedAt { get; set; }
}
