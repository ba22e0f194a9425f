"""The demo district's cameras: street views drawn by the simulator, served as HTTP MJPEG.

A real center takes its video from the cameras' own servers; the demo has none, so the simulator
plays their part:

- :mod:`~console.sim.cameras.server` — :class:`~console.sim.cameras.server.CameraServer`, the
  HTTP side: MJPEG streams, stills, a health check; a camera draws only while watched.
- :mod:`~console.sim.cameras.pictures` — what a camera shows: a synthetic street seen from a
  pole, with the light of Chengdu's time of day and the on-screen display a CCTV burns in.
"""
