"""video_360: "The Sphere", 360 pictures and videos to flat views, cubemaps and back."""
