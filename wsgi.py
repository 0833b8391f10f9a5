from fgc import create_app

app = create_app()
