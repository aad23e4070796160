# Testes ocultos do caderno 02_quantizacao_pytorch.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis: usam os nomes definidos lá (np, torch, nn, copy, io, time,
# modelo, x_teste e as funções do aluno). Cada secção é independente e nunca usa solutions/; os
# valores esperados são propriedades (docs/contrato.md#02_quantizacao_pytorch) ou contas feitas à mão.

# %% teste_quantizar_pytorch_lineares
torch.manual_seed(0)
_mlp = nn.Sequential(nn.Linear(64, 96), nn.ReLU(), nn.Linear(96, 96), nn.ReLU(), nn.Linear(96, 10)).eval()
_qm = quantizar_modelo_pytorch(_mlp)
_din = [_m for _m in _qm.modules() if type(_m).__name__ == "Linear" and "dynamic" in type(_m).__module__]
assert len(_din) == 3 and not [_m for _m in _qm.modules() if type(_m) is nn.Linear], "Todas as nn.Linear (3 neste MLP) têm de passar a Linear dinâmicas quantizadas (torch.ao.nn.quantized.dynamic.Linear)."
assert all(_m.weight().dtype == torch.qint8 for _m in _din), "Os pesos das Linear quantizadas devem ser torch.qint8: usa dtype=torch.qint8."
# As convoluções ficam em float (e o modelo quantizado continua a funcionar com elas).
_cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 10)).eval()
_qc = quantizar_modelo_pytorch(_cnn)
assert type(_qc[0]) is nn.Conv2d and _qc[0].weight.dtype == torch.float32, "A quantização dinâmica não se aplica a nn.Conv2d: a convolução deve continuar a ser um nn.Conv2d float32."
with torch.inference_mode():
    _saida = _qc(torch.zeros(2, 1, 8, 8))
assert tuple(_saida.shape) == (2, 10), "O modelo quantizado deve correr com uma entrada float32 de forma (2, 1, 8, 8)."
_x = torch.randn(200, 64, generator=torch.Generator().manual_seed(1))
with torch.inference_mode():
    _a, _b = _mlp(_x), _qm(_x)
assert float((_a - _b).abs().max()) <= 0.05 * float(_a.abs().max()) + 1e-6, "As saídas do modelo quantizado afastam-se demasiado das do original (mais de 5 % da amplitude)."
assert not _qm.training, "O modelo quantizado deve ficar em modo eval()."

# %% teste_quantizar_pytorch_original
# Um modelo float64 em modo de treino: nada pode mudar (nem o tipo, nem o modo, nem os pesos).
torch.manual_seed(2)
_orig = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10)).double().train()
_antes = {_k: _v.clone() for _k, _v in _orig.state_dict().items()}
_tipos = [type(_m) for _m in _orig.modules()]
_q = quantizar_modelo_pytorch(_orig)
assert _q is not _orig, "Devolve uma cópia, não o próprio modelo."
assert [type(_m) for _m in _orig.modules()] == _tipos, "Os módulos do modelo original mudaram: quantiza uma cópia."
assert _orig.training, "O modelo original passou a eval(): chama .eval() só na cópia."
_depois = _orig.state_dict()
assert all(_depois[_k].dtype == torch.float64 for _k in _antes), "O modelo original float64 passou a float32: chama .float() só na cópia (modelo.float() muda o próprio modelo)."
assert all(torch.equal(_depois[_k], _v) for _k, _v in _antes.items()), "Os pesos do modelo original mudaram."
with torch.inference_mode():
    _s = _q(torch.zeros(2, 1, 8, 8))
assert _s.dtype == torch.float32 and tuple(_s.shape) == (2, 10), "O modelo quantizado de um modelo float64 deve correr com entradas float32 (converte a cópia com .float())."

# %% teste_tamanho_modelo_mb
# Um modelo grande: (784·1024 + 1024² + 1024·10 + 1024 + 1024 + 10) × 4 B = 7 454 760 B ≈ 7,109 MiB.
torch.manual_seed(0)
_grande = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
_mb = float(tamanho_modelo_mb(_grande))
assert abs(_mb - 7.109) < 0.02, f"Um modelo com 1 863 690 parâmetros float32 ocupa ≈ 7,109 MiB (1 MiB = 2**20 bytes), e veio {_mb:.3f}."
# Um modelo minúsculo: conta o state_dict serializado (com a estrutura do ficheiro), não só os tensores.
_mini = nn.Linear(2, 2)
_buf = io.BytesIO()
torch.save(_mini.state_dict(), _buf)
_esperado = len(_buf.getvalue()) / 2**20
assert abs(float(tamanho_modelo_mb(_mini)) - _esperado) <= 1e-3 * _esperado, "Mede o state_dict serializado com torch.save (inclui a estrutura do ficheiro), não só numel() × bytes de cada tensor."
# Em memória: torch.save não pode receber um caminho de ficheiro (espiado no kernel do aluno).
_, _espiados = espiar(["torch.save"], tamanho_modelo_mb, _mini)
_destinos = _espiados["torch.save"]
assert _destinos, "Usa torch.save(modelo.state_dict(), buffer) para serializar o modelo."
assert all(len(_c) >= 2 and _c[1][1] for _c in _destinos), "Mede em memória (torch.save para um io.BytesIO): não graves o modelo num ficheiro como o texto faz com «temp.p»."

# %% teste_latencia_ms
# O Dorminhoco é o do pacote (otimizacao/latencia.py): vive no kernel do aluno, e o juiz lê dele
# quantas chamadas houve e se corriam em torch.inference_mode().
_m = Dorminhoco(rapido_s=0.005)
_t = medir_latencia_ms(_m, torch.zeros(1), repeticoes=7, aquecimento=3)
assert 4.9 <= float(_t) <= 20.0, f"Um módulo que dorme 5 ms deu {float(_t):.3f}: devolve milissegundos."
assert _m.chamadas == 10, f"Com repeticoes=7 e aquecimento=3 esperava 10 chamadas ao modelo e houve {_m.chamadas}: mede cada repetição com uma chamada própria."
assert all(_m.modos), "As chamadas ao modelo devem correr dentro de torch.inference_mode() (torch.no_grad() não é o mesmo)."
_m = Dorminhoco(rapido_s=0.001)
medir_latencia_ms(_m, torch.zeros(1))
assert _m.chamadas == 55, f"Com os valores por omissão (50 repetições e 5 de aquecimento) esperava 55 chamadas e houve {_m.chamadas}."

# %% teste_latencia_mediana
# Sem aquecimento, as mesmas chamadas lentas contam todas.
_t = medir_latencia_ms(Dorminhoco(lento_s=0.05, lentas=range(5)), torch.zeros(1), repeticoes=5, aquecimento=0)
assert float(_t) >= 49.0, f"Com aquecimento=0 as 5 chamadas de 50 ms contam todas (mediana ≥ 49 ms), mas deu {float(_t):.1f} ms."
# 1 chamada em 5 demora 100 ms: a média daria ~20 ms, a mediana fica perto de 0.
_t = medir_latencia_ms(Dorminhoco(lento_s=0.1, lentas=range(0, 10, 5)), torch.zeros(1), repeticoes=10, aquecimento=0)
assert float(_t) < 10.0, f"Deu {float(_t):.1f} ms quando 8 de 10 chamadas são instantâneas: devolve a mediana (np.median), não a média."

# %% contexto
# O juiz (autograder/juiz.py) corre aqui todos os testes do 02. Os modelos do PyTorch vão e voltam
# como dados (otimizacao/modulos_torch.py: só classes de uma lista branca, reconstruídas aqui), e o
# modelo quantizado que o aluno devolve corre neste processo. O Dorminhoco (otimizacao/latencia.py)
# vive no kernel do aluno, onde a medição de latência tem de correr; o juiz lê as chamadas dele.
import copy  # noqa: F401 (usado pelos testes)
import io  # noqa: F401

import numpy as np  # noqa: F401 (usado pelos testes)
import torch
from torch import nn

from otimizacao import dados, dispositivo

dispositivo.configurar_motor_quantizado()
d = dados.carregar_dados("digits")
x_treino = torch.from_numpy(d.x_treino).permute(0, 3, 1, 2).contiguous()
y_treino = torch.from_numpy(d.y_treino)
x_teste = torch.from_numpy(d.x_teste).permute(0, 3, 1, 2).contiguous()


def criar_rede() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Flatten(),
        nn.Linear(16 * 6 * 6, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


# O modelo do caderno (o mesmo treino: semente 0, uma thread, 80 passos de Adam).
torch.manual_seed(0)
_threads = torch.get_num_threads()
torch.set_num_threads(1)
modelo = criar_rede()
_otimizador = torch.optim.Adam(modelo.parameters(), lr=3e-3)
for _ in range(80):
    _otimizador.zero_grad()
    nn.functional.cross_entropy(modelo(x_treino), y_treino).backward()
    _otimizador.step()
modelo.eval()
torch.set_num_threads(_threads)
Dorminhoco = no_kernel("otimizacao.latencia").Dorminhoco
