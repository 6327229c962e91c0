using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Gallery;

/// <summary>The gallery's problem answers with their stable codes (docs/gallery.md).</summary>
public static class GalleryProblems
{
    public static ProblemHttpResult ImageNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "image_not_found", "Image not found.", "No such image.");

    public static ProblemHttpResult FolderNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "folder_not_found", "Folder not found.", "No such folder.");

    public static ProblemHttpResult TagNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "tag_not_found", "Tag not found.", "None of your images has this tag.");
}
