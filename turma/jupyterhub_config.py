"""Configuração do JupyterHub da turma (lida por ``jupyterhub -f``; quem a arranca é turma/hub.py).

Os valores de cada turma (portas, contas, pastas) vêm de ``$TURMA_CONFIG`` (um JSON que o
``make turma`` escreve em turma/estado/); aqui fica só o que é igual em todas as turmas.
"""

import json
import os

c = get_config()  # noqa: F821 (injetado pelo JupyterHub)

with open(os.environ["TURMA_CONFIG"], encoding="utf-8") as f:
    t = json.load(f)

c.JupyterHub.bind_url = f"http://{t['ip']}:{t['porta']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{t['porta_hub']}"
c.JupyterHub.db_url = f"sqlite:///{t['estado']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{t['estado']}/jupyterhub_cookie_secret"
# O proxy do npm instalado pelo próprio projeto (turma/node_modules), nunca um global.
c.ConfigurableHTTPProxy.command = [t["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{t['porta_proxy']}"
c.ConfigurableHTTPProxy.pid_file = f"{t['estado']}/proxy.pid"
# Ctrl-C (ou SIGTERM) para o proxy e todos os servidores que o hub arrancou (os valores por omissão,
# escritos aqui porque o make turma depende deles).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# As contas da própria máquina (PAM): sem base de dados de senhas à parte. O open_sessions
# abriria uma sessão do systemd-logind, que num contentor não existe.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(t["alunos"]) | {t["professor"]}
c.Authenticator.admin_users = {t["professor"]}

# Cada servidor corre como o utilizador do sistema (LocalProcessSpawner, o hub como root), com o
# Python do .venv do curso e limites por processo: memória (espaço de endereçamento), CPU e
# prioridade mais baixa do que a do hub (ver «Limites» no README).
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [
    "prlimit", f"--as={t['memoria_mb'] * 2**20}", f"--cpu={t['cpu_s']}", "--",
    "nice", "-n", "10", f"{t['venv']}/bin/jupyterhub-singleuser",
]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def antes_de_arrancar(spawner):
    """O professor abre na raiz do curso (com o formgrader); o aluno na sua pasta pessoal."""
    professor = spawner.user.name == t["professor"]
    if professor:
        spawner.notebook_dir = t["raiz"]
    spawner.environment.update({
        # o .venv à frente: o nbgrader chama o «alembic» pelo nome
        "PATH": f"{t['venv']}/bin:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": t["config_professor" if professor else "config_aluno"],
    })


c.Spawner.pre_spawn_hook = antes_de_arrancar
