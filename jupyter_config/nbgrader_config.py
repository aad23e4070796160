"""nbgrader num só computador: a pasta de troca (exchange) é local, em professor/exchange/.

Só entra com ``make curso`` e ``make professor`` (JUPYTER_CONFIG_PATH aponta para esta pasta).
Sem isto, o formgrader procura /usr/local/share/nbgrader/exchange, que não existe, e avisa que
o «release» e o «collect» não estão disponíveis. O ``make professor`` cria a pasta; o
``make limpar`` apaga-a. Numa turma com uma conta por aluno (JupyterHub) a troca é partilhada
e configura-se no servidor, não aqui.
"""

import os

c = get_config()  # noqa: F821 (injetado pelo Jupyter)

c.Exchange.root = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "professor", "exchange"
)

# O Validate do aluno (make curso): o nbclient espera pelas últimas saídas de uma célula até
# iopub_timeout segundos; os 4 s por omissão não chegam a uma célula que importa o TensorFlow
# numa máquina ocupada (CellTimeoutError no Validate). O mesmo valor da avaliação.
c.Execute.iopub_timeout = 60
