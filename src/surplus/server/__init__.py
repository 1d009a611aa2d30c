"""The HTTP face: evcc's REST API, the state document and (later) the websocket, served by FastAPI."""
